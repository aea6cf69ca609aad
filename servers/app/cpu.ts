/**
 * The CPU-bound route's work: `units` rounds of 32-bit FNV-1a style mixing over a
 * running state, 4,000 steps a unit, answered as an 8-hex-digit digest that any
 * client can recompute with `cpuDigest`. Pure JavaScript: it occupies the thread
 * that runs it, which is what the models differ on.
 *
 * Cost: one unit is about 0.1 ms on the project machine (2 cores, Node 20):
 * median 0.097–0.100 ms per unit over 7 runs of cpuDigest(1000) after a warm-up
 * of 200 units (min 0.095, max 0.100), measured with a tsx script timing
 * `cpuDigest(1000)` by performance.now(). 4,000 steps a unit measured 0.0083 ms,
 * hence 48,000. Re-measure after changing the loop: the unit is a figure, not a promise.
 */
export const STEPS_PER_UNIT = 48_000;
/** Largest `units` GET /cpu accepts (about 5 s of work). */
export const maxCpuUnits = 50_000;

/** The digest of `units` units of work, as GET /cpu?units=N answers it. */
export function cpuDigest(units: number): string {
  let h = 0x811c9dc5;
  const steps = units * STEPS_PER_UNIT;
  for (let i = 0; i < steps; i++) {
    h ^= i & 0xff;
    h = Math.imul(h, 0x01000193);
    h ^= h >>> 13;
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The CPU-bound route's work: `units` rounds of 32-bit FNV-1a style mixing over a
 * running state, 4,000 steps a unit, answered as an 8-hex-digit digest that any
 * client can recompute with `cpuDigest`. Pure JavaScript: it occupies the thread
 * that runs it, which is what the models differ on.
 *
 * Cost: STEPS_PER_UNIT is chosen so one unit is about 0.1 ms on the project machine.
 */
export const STEPS_PER_UNIT = 4_000;
/** Largest `units` GET /cpu accepts. */
export const maxCpuUnits = 100_000;

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

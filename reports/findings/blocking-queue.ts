/**
 * Finding 2: a blocking server serves one connection at a time. Adding
 * connections adds no throughput, only queueing: in a closed loop Little's law
 * gives latency ≈ connections / throughput, so the typical request's latency
 * (the median) grows about linearly with the connection count. The p99 is
 * shown beside it but not judged: it carries stalls of a fixed length (a
 * garbage collection, a time slice lost to another process) that do not grow
 * with the queue, so at the lowest level it is several times the median and
 * its slope comes out flatter than the queue's.
 */
import { linearRegression } from 'simple-statistics';
import type { Results } from '../../bench/results/schema.ts';
import type { Finding } from './types.ts';
import { cellCaveats, isMeasured, M, round } from './cells.ts';
import type { MeasuredCell } from './cells.ts';

/** Thresholds: throughput flat within maxRpsSpread (max/min), median latency ∝ connections^slope with slope in the band. */
export const blockingQueue = {
  /**
   * Scenarios tried in order, the first with enough levels is judged: io's 20 ms
   * service time makes queueing dominate every other cost; close queues every
   * request in the accept queue; hello last. A starved cell is not read: with
   * keep-alive the blocking core serves one connection until it closes, so the
   * others are not queued requests but connections left waiting, and Little's law
   * (which needs every request served in turn) says nothing of them. In practice a
   * keep-alive scenario is judged only at one connection, and close is what shows it.
   */
  scenarios: ['io', 'close', 'hello'],
  maxRpsSpread: 1.5,
  slopeBand: [0.7, 1.3] as [number, number],
  /** The connection levels must span at least this factor. */
  minSpan: 4,
};

const head = {
  id: 'blocking-flat-throughput-linear-latency',
  title: 'Blocking: flat throughput, latency linear in connections',
  claim: `The blocking model's throughput stays flat as connections rise (max/min ≤ ${blockingQueue.maxRpsSpread}), while its median latency grows roughly linearly with the connection count (log-log slope ${blockingQueue.slopeBand[0]}–${blockingQueue.slopeBand[1]}, over levels spanning ≥ ${blockingQueue.minSpan}×); the p99's slope is shown beside it.`,
  source:
    "Little's law (L = λW) for a closed loop: latency ≈ connections / throughput, a statement about the typical request, not the tail; Stevens, UNIX Network Programming vol. 1, the iterative server. Band chosen to absorb the noise of a shared 2-core machine.",
};

export function evaluateBlockingQueue(results: Results): Finding {
  for (const scenario of blockingQueue.scenarios) {
    const cells = results.cells
      .filter((c) => c.model === M.blocking && c.scenario === scenario)
      .filter(isMeasured)
      .filter((c) => !c.flags.starved)
      .sort((a, b) => a.connections - b.connections);
    const levels = cells.map((c) => c.connections);
    if (cells.length >= 2 && levels.at(-1)! / levels[0]! >= blockingQueue.minSpan) return judge(scenario, cells);
  }
  const have = blockingQueue.scenarios.map(
    (s) =>
      `${s}: ${
        results.cells
          .filter((c) => c.model === M.blocking && c.scenario === s)
          .filter(isMeasured)
          .map((c) => `${c.connections}${c.flags.starved ? ' (starved, not read)' : ''}`)
          .join(', ') || 'none'
      }`,
  );
  return {
    ...head,
    status: 'not-measured',
    figures: {},
    detail: `Needs measured blocking cells at ≥ 2 connection levels spanning ≥ ${blockingQueue.minSpan}× in io, close or hello; measured levels are ${have.join('; ')}.`,
  };
}

function judge(scenario: string, cells: MeasuredCell[]): Finding {
  const rps = cells.map((c) => c.summary.requestsPerSec.median);
  const p50 = cells.map((c) => c.summary.p50Us.median);
  const p99 = cells.map((c) => c.summary.p99Us.median);
  const spread = Math.max(...rps) / Math.max(Math.min(...rps), 1e-9);
  const logLogSlope = (latency: number[]): number =>
    linearRegression(cells.map((c, i) => [Math.log(c.connections), Math.log(Math.max(latency[i]!, 1))])).m;
  const slope = logLogSlope(p50);
  // Little's law check on the busiest cell: mean latency ≈ connections / throughput.
  const top = cells.at(-1)!;
  const littleUs = (top.connections / Math.max(top.summary.requestsPerSec.median, 1e-9)) * 1e6;
  const figures: Record<string, number | string> = {
    scenario,
    connections: cells.map((c) => c.connections).join(', '),
    requestsPerSec: rps.map(round).join(', '),
    p50Us: p50.map(round).join(', '),
    p99Us: p99.map(round).join(', '),
    rpsSpread: round(spread),
    p50Slope: round(slope),
    p99Slope: round(logLogSlope(p99)),
    littleLatencyUsAtTop: round(littleUs),
    p50UsAtTop: round(top.summary.p50Us.median),
  };
  const [lo, hi] = blockingQueue.slopeBand;
  const flat = spread <= blockingQueue.maxRpsSpread;
  const linear = slope >= lo && slope <= hi;
  const detail = `In ${scenario} over ${figures.connections} connections, blocking throughput varied ${figures.rpsSpread}× (max/min; flat means ≤ ${blockingQueue.maxRpsSpread}) and the median latency grew with slope ${figures.p50Slope} on a log-log scale (linear ≈ 1; the p99's slope was ${figures.p99Slope}). Little's law predicts ≈ ${figures.littleLatencyUsAtTop} µs at ${top.connections} connections, where the median was ${figures.p50UsAtTop} µs.`;
  if (flat && linear) return { ...head, status: 'held', figures, detail };
  const reasons: string[] = cells.flatMap(cellCaveats);
  if (!flat)
    reasons.push(
      "throughput was not flat: at one connection the client's own round trip idles the server, or the machine's noise moved a trial",
    );
  if (!linear && slope < lo)
    reasons.push(
      scenario === 'close'
        ? "the median latency grew slower than linearly: at the lowest level a fixed cost (the handshake, a busy machine) dominates the service time, which flattens the fit; check the median against Little's prediction at the top"
        : 'the median latency grew slower than linearly: with keep-alive the blocking core serves one connection until it closes, so the others starve rather than queue (see the starved flag and unanswered requests), and the latency of answered requests hides them',
    );
  if (!linear && slope > hi)
    reasons.push(
      'the median latency grew faster than linearly: timeouts, retries or accept-queue overflow add waits beyond queueing',
    );
  if (cells.length === 2)
    reasons.push('only two connection levels: a full check needs a sweep such as the full profile (1, 4, 16, 64, 256)');
  return { ...head, status: 'not-held', figures, detail, explanation: `${reasons.join('; ')}.` };
}

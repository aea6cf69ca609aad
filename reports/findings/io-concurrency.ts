/**
 * Finding 1: waiting on a backend, concurrency decides throughput. The blocking
 * model waits 20 ms per request with the whole server; the event loop waits
 * with a timer and serves the other connections meanwhile.
 */
import type { Results } from '../../bench/results/schema.ts';
import type { Finding } from './types.ts';
import { cellCaveats, findCell, isMeasured, M, round, whyUnmeasured } from './cells.ts';

/** The threshold and the cell it is read at. */
export const ioConcurrency = { connections: 64, minRatio: 20, scenario: 'io' };

const head = {
  id: 'io-event-loop-vs-blocking',
  title: 'Backend waits: event loop vs blocking',
  claim: `With a 20 ms backend wait and ${ioConcurrency.connections} connections, the event loop serves ≥ ${ioConcurrency.minRatio}× the blocking model's throughput.`,
  source:
    'Pai, Druschel & Zwaenepoel, "Flash: An efficient and portable Web server", USENIX 1999 (a single-process server must not block); Kegel, "The C10K problem". ' +
    'Ideal ratio is the connection count (64: blocking ≈ 1/20 ms = 50 req/s, event loop ≈ 64 × 50); 20× leaves room for a noisy shared machine.',
};

export function evaluateIoConcurrency(results: Results): Finding {
  const { scenario, connections, minRatio } = ioConcurrency;
  const waitMs = results.scenarios.find((s) => s.name === scenario)?.params.backendWaitMs;
  const blocking = findCell(results, M.blocking, scenario, connections);
  const loop = findCell(results, M.eventLoop, scenario, connections);
  if (!isMeasured(blocking) || !isMeasured(loop)) {
    const missing = [
      !isMeasured(blocking) && whyUnmeasured(results, M.blocking, scenario, connections),
      !isMeasured(loop) && whyUnmeasured(results, M.eventLoop, scenario, connections),
    ].filter(Boolean);
    return {
      ...head,
      status: 'not-measured',
      figures: {},
      detail: `Needs io cells of both models at ${connections} connections: ${missing.join('; ')}.`,
    };
  }
  const blockingRps = blocking.summary.requestsPerSec.median;
  // A blocking model that answered nothing in a trial has no finite ratio to show, only an unbounded one.
  const ratio = blockingRps > 0 ? loop.summary.requestsPerSec.median / blockingRps : Number.POSITIVE_INFINITY;
  const figures = {
    backendWaitMs: typeof waitMs === 'number' ? waitMs : 'not recorded',
    blockingRps: round(blocking.summary.requestsPerSec.median),
    eventLoopRps: round(loop.summary.requestsPerSec.median),
    ratio: Number.isFinite(ratio) ? round(ratio) : 'unbounded (the blocking model answered nothing)',
    threshold: minRatio,
  };
  const detail = `At ${connections} connections the event loop served ${figures.eventLoopRps} req/s and the blocking model ${figures.blockingRps} req/s: ${figures.ratio}× (threshold ${minRatio}×, ideal ≈ ${connections}×).`;
  if (ratio >= minRatio) return { ...head, status: 'held', figures, detail };
  const reasons = [...cellCaveats(loop), ...cellCaveats(blocking)];
  if (typeof waitMs === 'number' && waitMs !== 20) reasons.push(`the backend wait was ${waitMs} ms, not 20 ms`);
  if (reasons.length === 0)
    reasons.push(
      'no flag explains it: look at the event loop cell for a bottleneck other than the wait (a saturated server CPU, a slow timer path)',
    );
  return { ...head, status: 'not-held', figures, detail, explanation: `${reasons.join('; ')}.` };
}

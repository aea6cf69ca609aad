/**
 * Finding 6: without keep-alive every request pays a TCP handshake, an accept
 * and a teardown. That cost is the same for every model, so the event loop's
 * advantage on tiny replies shrinks.
 */
import type { Results } from '../../bench/results/schema.ts';
import type { Finding } from './types.ts';
import { cellCaveats, commonLevels, findCell, M, round } from './cells.ts';
import type { MeasuredCell } from './cells.ts';

export const connectionSetup = {
  /** Each of these models must lose throughput with keep-alive off: close ≤ maxCloseShare × hello. */
  payers: [M.blocking, M.eventLoop, M.workerPool],
  maxCloseShare: 0.9,
  /** The event loop's advantage over the blocking model must shrink by at least this factor. */
  minShrink: 1.5,
};

const head = {
  id: 'close-connection-setup',
  title: 'Keep-alive off: connection setup',
  claim: `With keep-alive off every model pays connection setup (close ≤ ${connectionSetup.maxCloseShare} × hello requests/s), and the event loop's advantage over the blocking model on tiny replies shrinks by ≥ ${connectionSetup.minShrink}×.`,
  source:
    'Kegel, "The C10K problem" and Stevens, UNIX Network Programming vol. 1 (per-connection accept/close costs); Nahum et al., "Performance issues in WWW servers", IEEE/ACM ToN 2002 (persistent connections). Factors are first estimates, to be tuned on first runs.',
};

export function evaluateConnectionSetup(results: Results): Finding {
  const models = [...connectionSetup.payers];
  const hello = commonLevels(results, 'hello', models);
  const level = commonLevels(results, 'close', models)
    .filter((n) => hello.includes(n))
    .at(-1);
  if (level === undefined) {
    return {
      ...head,
      status: 'not-measured',
      figures: {},
      detail: `Needs measured hello and close cells of ${models.join(', ')} at one common connection count.`,
    };
  }
  const cell = (m: string, s: string) => findCell(results, m, s, level) as MeasuredCell;
  const rps = (m: string, s: string) => cell(m, s).summary.requestsPerSec.median;
  const shares = models.map((m) => [m, rps(m, 'close') / Math.max(rps(m, 'hello'), 1e-9)] as const);
  const advHello = rps(M.eventLoop, 'hello') / Math.max(rps(M.blocking, 'hello'), 1e-9);
  const advClose = rps(M.eventLoop, 'close') / Math.max(rps(M.blocking, 'close'), 1e-9);
  const shrink = advHello / Math.max(advClose, 1e-9);
  const figures: Record<string, number | string> = { connections: level };
  for (const [m, share] of shares) figures[`${m}CloseShare`] = round(share);
  Object.assign(figures, {
    advantageHello: round(advHello),
    advantageClose: round(advClose),
    shrink: round(shrink),
    threshold: connectionSetup.minShrink,
  });
  const detail =
    `At ${level} connections, close/hello throughput was ${shares.map(([m, s]) => `${m} ${round(s)}`).join(', ')} (each ≤ ${connectionSetup.maxCloseShare}); ` +
    `the event loop's lead over the blocking model went from ${figures.advantageHello}× (hello) to ${figures.advantageClose}× (close), shrinking ${figures.shrink}× (threshold ${connectionSetup.minShrink}×).`;
  const allPay = shares.every(([, s]) => s <= connectionSetup.maxCloseShare);
  if (allPay && shrink >= connectionSetup.minShrink) return { ...head, status: 'held', figures, detail };
  const reasons = models.flatMap((m) => [...cellCaveats(cell(m, 'hello')), ...cellCaveats(cell(m, 'close'))]);
  for (const [m, s] of shares)
    if (s > connectionSetup.maxCloseShare)
      reasons.push(`${m} lost little with keep-alive off (${round(s)}): its own per-request cost hides the handshake`);
  if (shrink < connectionSetup.minShrink)
    reasons.push(
      "the lead did not shrink enough: on loopback the handshake is cheap next to a model's per-request work, or the client-side cost of new connections capped both models alike",
    );
  return { ...head, status: 'not-held', figures, detail, explanation: `${reasons.join('; ')}.` };
}

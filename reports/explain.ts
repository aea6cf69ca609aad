/**
 * A few sentences per scenario, computed from the figures: who wins, by what
 * factor, and the mechanism in terms of the models. Claims only what the figures
 * show: a client-bound winner is a lower bound, an errored cell is named as such,
 * and a starved cell's latency (which covers only the requests it answered) is
 * never called the lowest. A model's flags (starved, answered nothing, errored, client-bound) are said
 * once per model in the report's first screen (glance.ts), not again in every scenario.
 */
import type { Results } from '../bench/results/schema.ts';
import { cellRows } from './charts/rows.ts';
import type { CellRow } from './charts/rows.ts';

const mechanism: Record<string, string> = {
  blocking: 'serves one connection at a time, so the others wait in the accept queue',
  'process-per-request': 'starts a new process for every request, so start-up cost bounds it',
  'event-loop': 'multiplexes every connection on one thread: waits overlap, but CPU work stalls the loop for everyone',
  'worker-pool': 'runs handlers on parallel worker threads, paying a hand-off per request',
  prefork: 'runs several event loops in separate processes',
  'node-http': 'is the reference node:http server (a peer, not one of ours)',
  nginx: 'is nginx, a reference peer written in C',
};

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));

/** Sentences for one scenario, at its highest measured concurrency. */
export function explainScenario(results: Results, scenario: string): string[] {
  const rows = cellRows(results).filter((r) => r.scenario === scenario);
  const failed = results.cells.filter((c) => c.scenario === scenario && c.status !== 'ok');
  const out: string[] = [];
  if (rows.length === 0)
    return [`No cell of ${scenario} was measured${failed.length ? ` (${failed.length} failed or skipped)` : ''}.`];
  const conns = Math.max(...rows.map((r) => r.connections));
  const at = rows.filter((r) => r.connections === conns).sort((a, b) => b.rps - a.rps);
  const [best, ...rest] = at as [CellRow, ...CellRow[]];
  const worst = rest.filter((r) => r.rps > 0).at(-1);
  const bound = best.mark === 'client-bound' ? ' (client-bound: its true figure is at least this)' : '';
  out.push(`At ${conns} connections ${best.label} serves the most, ${fmt(best.rps)} requests/s${bound}; ${why(best)}.`);
  if (worst && worst.rps > 0) {
    const factor = best.rps / worst.rps;
    const spreadOverlap = best.rpsMin <= worst.rpsMax;
    out.push(
      spreadOverlap
        ? `${worst.label} is within the trials' spread of it, so their order is not settled by this run.`
        : `${worst.label} serves ${fmt(worst.rps)} requests/s, ${factor >= 1.95 ? `${fmt(factor)}× less` : `${Math.round((1 - 1 / factor) * 100)}% less`}: it ${mechanism[worst.model] ?? 'is slowest here'}.`,
    );
  }
  const answering = at.filter((r) => r.rps > 0 && r.mark !== 'starved');
  const lowest = [...answering].sort((a, b) => a.p99Ms - b.p99Ms)[0];
  const highest = [...answering].sort((a, b) => b.p99Ms - a.p99Ms)[0];
  if (lowest && highest && highest !== lowest)
    out.push(
      `p99 latency ranges from ${fmt(lowest.p99Ms)} ms (${lowest.label}) to ${fmt(highest.p99Ms)} ms (${highest.label}).`,
    );
  if (failed.length)
    out.push(
      `${failed.length} cell(s) failed or were skipped: ${failed.map((c) => `${c.model}@${c.connections} (${c.error ?? c.status})`).join('; ')}.`,
    );
  return out;
}

function why(r: CellRow): string {
  return `it ${mechanism[r.model] ?? 'is the fastest here'}`;
}

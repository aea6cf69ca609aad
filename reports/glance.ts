/**
 * The report's first screen, computed from the figures: per scenario the winner, by what factor,
 * and why, in one line; per model one line on how it behaved across scenarios, with its flags said
 * once (where it starved, answered nothing, was client-bound or errored) instead of once per scenario.
 */
import type { Results } from '../bench/results/schema.ts';
import { cellRows } from './charts/rows.ts';
import type { CellRow } from './charts/rows.ts';

/** Why a model wins a scenario, in the model's own terms; the scenario's kind picks the words. */
const winsBecause: Record<string, Record<string, string>> = {
  io: {
    default: 'it overlaps the backend waits of every connection',
    blocking: 'it waits with its only thread, one request at a time',
  },
  cpu: {
    default: 'it spreads the CPU work over several CPUs',
    'event-loop': 'one thread does every request, so nothing is lost to hand-offs',
  },
  mixed: { default: 'cheap requests are not stuck behind expensive ones on one thread' },
  'slow-clients': { default: 'a slow client holds only its own connection, not a thread' },
  close: { default: 'it accepts and tears down connections cheapest' },
  'static-small': {
    nginx: 'it serves files from C with sendfile and an open-file cache',
    default: 'its file path costs least',
  },
  'static-large': { default: 'it moves the bytes with the least copying' },
};

const mechanism: Record<string, string> = {
  blocking: 'serves one connection at a time',
  'process-per-request': 'starts a new process for every request',
  'event-loop': 'multiplexes every connection on one thread',
  'worker-pool': 'hands every request to a pool of worker threads',
  prefork: 'runs several event loops in separate processes',
  reuseport: 'runs one event loop per thread, each listening on the port',
  'node-http': 'is Node’s own HTTP server (a peer)',
  nginx: 'is nginx (a peer, in C)',
};

const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n >= 10 ? 1 : 2));
const factor = (a: number, b: number): string => {
  const f = a / Math.max(b, 1e-9);
  return f >= 1.95 ? `${fmt(f)}×` : `${Math.round((f - 1) * 100)}% more than`;
};

/** Rows at a scenario's highest measured connection count, answering ones first by requests/s. */
function topRows(rows: CellRow[], scenario: string): { connections: number; rows: CellRow[] } | undefined {
  const own = rows.filter((r) => r.scenario === scenario);
  if (own.length === 0) return undefined;
  const connections = Math.max(...own.map((r) => r.connections));
  return { connections, rows: own.filter((r) => r.connections === connections).sort((a, b) => b.rps - a.rps) };
}

/** One line per scenario: who serves the most where nobody is starved, by what factor, and why. */
export function scenarioGlance(results: Results): string[] {
  const rows = cellRows(results);
  return results.scenarios.flatMap((s) => {
    const top = topRows(rows, s.name);
    if (!top) return [];
    const fair = top.rows.filter((r) => r.rps > 0 && r.mark !== 'starved' && r.mark !== 'errored');
    const [best] = fair;
    if (!best) return [`${s.name} (${top.connections} connections): no model answered every connection.`];
    const last = fair.length > 1 ? fair.at(-1) : undefined;
    const why = winsBecause[s.name]?.[best.model] ?? winsBecause[s.name]?.default ?? `it ${mechanism[best.model]}`;
    const lowerBound = best.mark === 'client-bound' ? ' (client-bound: at least this)' : '';
    const against = last
      ? best.rpsMin <= last.rpsMax
        ? `, within the trials' spread of ${last.label}`
        : `, ${factor(best.rps, last.rps)} ${last.label}`
      : '';
    return [
      `${s.name} (${top.connections} connections): ${best.label} first, ${fmt(best.rps)} req/s${lowerBound}${against}; ${why}.`,
    ];
  });
}

/** One line per model: where it came first and last among the models that answered, and its flags once. */
export function modelGlance(results: Results): string[] {
  const rows = cellRows(results);
  const tops = results.scenarios.flatMap((s) => {
    const top = topRows(rows, s.name);
    return top ? [{ scenario: s.name, ...top }] : [];
  });
  const models = [...new Set(results.cells.map((c) => c.model))];
  return models.map((model) => {
    const first: string[] = [];
    const last: string[] = [];
    for (const top of tops) {
      const fair = top.rows.filter((r) => r.rps > 0 && r.mark !== 'starved');
      if (fair.length < 2) continue;
      if (fair[0]?.model === model) first.push(top.scenario);
      else if (fair.at(-1)?.model === model) last.push(top.scenario);
    }
    const cells = results.cells.filter((c) => c.model === model && c.status === 'ok' && c.summary);
    const where = (pick: (c: (typeof cells)[number]) => boolean | undefined): string =>
      cells
        .filter(pick)
        .map((c) => `${c.scenario}@${c.connections}`)
        .join(', ');
    const silent = where((c) => (c.summary?.requestsPerSec.max ?? 0) === 0);
    const starved = where((c) => c.flags.starved && (c.summary?.requestsPerSec.max ?? 0) > 0);
    const bound = where((c) => c.flags.clientBound);
    const errored = where((c) => c.flags.errored);
    const failed = results.cells.filter((c) => c.model === model && c.status !== 'ok').length;
    const parts = [
      first.length ? `first in ${first.join(', ')}` : '',
      last.length ? `last in ${last.join(', ')}` : '',
      starved ? `left connections waiting (starved) in ${starved}` : '',
      silent ? `answered nothing in ${silent}` : '',
      errored ? `had errors in ${errored}` : '',
      bound ? `was limited by the load generator in ${bound}` : '',
      failed ? `${failed} cell(s) failed` : '',
    ].filter(Boolean);
    return `${model} ${mechanism[model] ?? ''}${parts.length ? `: ${parts.join('; ')}` : ''}.`.replace(' :', ':');
  });
}

/**
 * What `--rate` asks for, one entry per load mode a cell is measured in:
 * `closed` (each connection sends its next request when answered), a fixed
 * rate in requests/s, or a share of the same model's closed-loop throughput
 * measured earlier in the run (`70%`), so that every model is loaded at the
 * same fraction of what it can do.
 */
import type { Cell } from '../results/schema.ts';

export type LoadSpec = { mode: 'closed' } | { mode: 'open'; rps: number } | { mode: 'open'; share: number };

/** Parse `closed,2000,70%`; throws an Error with a one-line message. */
export function parseRates(text: string): LoadSpec[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new Error('--rate needs at least one value');
  const specs = items.map((item): LoadSpec => {
    if (item === 'closed') return { mode: 'closed' };
    const share = /^(\d+(?:\.\d+)?)%$/.exec(item);
    if (share) {
      const pct = Number(share[1]);
      if (pct <= 0 || pct > 1000)
        throw new Error(`--rate ${item}: a share of the closed-loop throughput must be above 0% and at most 1000%`);
      return { mode: 'open', share: pct / 100 };
    }
    const rps = Number(item);
    if (!/^\d+(\.\d+)?$/.test(item) || !(rps > 0))
      throw new Error(`--rate takes requests/s, a share such as 70% or "closed", not "${item}"`);
    return { mode: 'open', rps };
  });
  const twice = items.find((item, i) => items.indexOf(item) !== i);
  if (twice !== undefined) throw new Error(`--rate lists ${twice} twice`);
  const shared = specs.findIndex((s) => 'share' in s);
  if (shared !== -1 && !specs.slice(0, shared).some((s) => s.mode === 'closed')) {
    throw new Error(
      `--rate ${items[shared]} is a share of the closed-loop throughput: list "closed" before it (e.g. --rate closed,${items[shared]})`,
    );
  }
  return specs;
}

/** How a spec reads in results and on the terminal: `closed`, `2000/s`, `70%`. */
export function rateLabel(spec: LoadSpec): string {
  if (spec.mode === 'closed') return 'closed';
  return 'share' in spec ? `${Math.round(spec.share * 1000) / 10}%` : `${spec.rps}/s`;
}

/**
 * The target rate of an open-loop cell: its fixed rate, or its share of the
 * median throughput of the matching closed-loop cell already in `cells`.
 * Throws (one line) when that cell is missing or did not measure.
 */
export function targetRate(
  spec: Extract<LoadSpec, { mode: 'open' }>,
  cells: readonly Cell[],
  of: Pick<Cell, 'model' | 'scenario' | 'connections'>,
): number {
  if ('rps' in spec) return spec.rps;
  const closed = cells.find(
    (c) =>
      c.model === of.model && c.scenario === of.scenario && c.connections === of.connections && c.loadMode === 'closed',
  );
  const rps = closed?.status === 'ok' ? closed.summary?.requestsPerSec.median : undefined;
  if (rps === undefined || !(rps > 0))
    throw new Error(
      `no measured closed-loop cell of ${of.model} ${of.scenario} c=${of.connections} to take ${rateLabel(spec)} of`,
    );
  return rps * spec.share;
}

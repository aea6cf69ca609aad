/**
 * Reading cells for the findings: find a model's cell, tell whether it can be
 * used, and say why not in plain words. Shared by every finding check.
 */
import type { Cell, Results } from '../../bench/results/schema.ts';

/**
 * A closed-loop cell that ran and has a summary: its figures can be read. The
 * findings are closed-loop claims; an open-loop cell (`--rate`) offers a fixed
 * rate, so its requests/s says nothing of what the model can do.
 */
export type MeasuredCell = Cell & { summary: NonNullable<Cell['summary']> };

export function isMeasured(cell: Cell | undefined): cell is MeasuredCell {
  return cell !== undefined && cell.status === 'ok' && cell.summary !== null && cell.loadMode !== 'open';
}

/** The closed-loop cell of one model in one scenario at one connection count, if any. */
export function findCell(results: Results, model: string, scenario: string, connections: number): Cell | undefined {
  return results.cells.find(
    (c) => c.model === model && c.scenario === scenario && c.connections === connections && c.loadMode !== 'open',
  );
}

/** Connection levels at which every listed model has a measured cell in the scenario, ascending. */
export function commonLevels(results: Results, scenario: string, models: string[]): number[] {
  const levels = [...new Set(results.cells.filter((c) => c.scenario === scenario).map((c) => c.connections))].sort(
    (a, b) => a - b,
  );
  return levels.filter((n) => models.every((m) => isMeasured(findCell(results, m, scenario, n))));
}

/** Why a wanted cell cannot be used: missing, failed or skipped. */
export function whyUnmeasured(results: Results, model: string, scenario: string, connections: number): string {
  const cell = findCell(results, model, scenario, connections);
  if (!cell) return `no ${model} cell for ${scenario} at ${connections} connections`;
  return `the ${model} ${scenario} cell at ${connections} connections ${cell.status === 'ok' ? 'has no summary' : `${cell.status}${cell.error ? ` (${cell.error})` : ''}`}`;
}

/** Plain-words caveats of a cell's flags (client-bound, errored, starved, busy machine), for explanations. */
export function cellCaveats(cell: MeasuredCell): string[] {
  const name = `${cell.model} ${cell.scenario} at ${cell.connections} connections`;
  const out: string[] = [];
  if (cell.flags.clientBound) out.push(`${name} was client-bound (its throughput is a lower bound)`);
  if (cell.flags.errored)
    out.push(
      `${name} had errors (${cell.summary.errors} errors, ${cell.summary.timeouts} timeouts, ${cell.summary.non2xx} non-2xx)`,
    );
  if (cell.flags.starved) out.push(`${name} left connections starved`);
  if (cell.flags.busy)
    out.push(
      `${name} ran on a busy machine (${cell.flags.notes.find((n) => n.startsWith('busy machine')) ?? 'other processes took CPU'})`,
    );
  return out;
}

/**
 * How many CPUs the server could use: the taskset list it was pinned to (the cell's own placement
 * when a rule chose one, else the run's), or every core of the machine when unpinned.
 */
export function serverCpuCount(results: Results, cell?: Cell): number {
  const list = cell?.placement ? cell.placement.serverCpus : results.config.serverCpus;
  if (!list) return results.machine.cores;
  let count = 0;
  for (const part of list.split(',')) {
    const [lo, hi] = part.split('-').map(Number);
    if (lo === undefined || Number.isNaN(lo)) continue;
    count += hi === undefined || Number.isNaN(hi) ? 1 : hi - lo + 1;
  }
  return count || results.machine.cores;
}

/** The taskset list a cell's server ran on, in words. */
export function serverCpuList(results: Results, cell?: Cell): string {
  return (cell?.placement ? cell.placement.serverCpus : results.config.serverCpus) ?? 'unpinned';
}

/** Round for a figures table: 3 significant digits, integers above 100. */
export function round(value: number): number {
  if (!Number.isFinite(value)) return value;
  return Math.abs(value) >= 100 ? Math.round(value) : Number(value.toPrecision(3));
}

/** The models the classic findings compare. */
export const M = {
  blocking: 'blocking',
  perRequest: 'process-per-request',
  eventLoop: 'event-loop',
  workerPool: 'worker-pool',
} as const;

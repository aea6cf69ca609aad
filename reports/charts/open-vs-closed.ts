/**
 * Open vs closed loop on `mixed`: the cheap requests' p50 and p99 per model,
 * measured closed loop and open loop (`--rate`) in the same run, one line per
 * model from one mode to the other. A closed-loop generator waits out a stall
 * with its few connections and so records it a few times; an open-loop one
 * keeps sending and records every request the stall held up. Drawn only when
 * the results file has both modes for some model.
 */
import type { Cell, Results } from '../../bench/results/schema.ts';
import { stat } from '../../bench/results/stats.ts';
import { colourScale } from '../palette.ts';
import { cellMark, flaggedPoint } from './rows.ts';
import type { CellMark } from './rows.ts';

const scenario = 'mixed';
const group = 'cheap';

/** One model's cheap-request latency in one load mode. */
interface ModeRow {
  model: string;
  connections: number;
  /** `closed`, or `open 70%` / `open 2000/s`. */
  load: string;
  /** The rate the open-loop cell was asked for, came to, and achieved (closed: the throughput it reached). */
  targetRps: number | null;
  achievedRps: number;
  pct: 'p50' | 'p99';
  ms: number;
  /** Flagged cells are drawn hollow: a starved closed-loop cell's latency covers only the connections it answered. */
  mark: CellMark;
  notes: string;
}

function modeOf(cell: Cell): 'closed' | 'open' {
  return cell.loadMode ?? 'closed';
}

/** The measured `mixed` cells that recorded the cheap group's latency. */
function mixedCells(results: Results): Cell[] {
  return results.cells.filter(
    (c) =>
      c.scenario === scenario && c.status === 'ok' && c.summary !== null && c.trials.some((t) => t.groups?.[group]),
  );
}

/** Model × connections pairs measured in both modes. */
function pairedKeys(cells: Cell[]): Set<string> {
  const key = (c: Cell) => `${c.model}\u0000${c.connections}`;
  const closed = new Set(cells.filter((c) => modeOf(c) === 'closed').map(key));
  return new Set(cells.filter((c) => modeOf(c) === 'open' && closed.has(key(c))).map(key));
}

/** The chart needs at least one model measured closed and open loop at the same connections. */
export function hasBothModes(results: Results): boolean {
  return pairedKeys(mixedCells(results)).size > 0;
}

function rows(results: Results): ModeRow[] {
  const cells = mixedCells(results);
  const paired = pairedKeys(cells);
  return cells
    .filter((c) => paired.has(`${c.model}\u0000${c.connections}`))
    .flatMap((c): ModeRow[] => {
      const per = (read: (l: { p50: number; p99: number }) => number) =>
        stat(c.trials.flatMap((t) => (t.groups?.[group] ? [read(t.groups[group].latencyUs) / 1000] : []))).median;
      const base = {
        model: c.model,
        connections: c.connections,
        load: c.rate ? `open ${c.rate.requested}` : modeOf(c),
        targetRps: c.rate?.targetRps ?? null,
        achievedRps: c.summary?.requestsPerSec.median ?? 0,
        mark: cellMark(c.flags),
        notes: c.flags.notes.join('; '),
      };
      return [
        { ...base, pct: 'p50', ms: per((l) => l.p50) },
        { ...base, pct: 'p99', ms: per((l) => l.p99) },
      ];
    });
}

export function openVsClosedChart(results: Results): Record<string, unknown> {
  const values = rows(results);
  const loads = [...new Set(values.map((r) => r.load))].sort((a, b) =>
    a === 'closed' ? -1 : b === 'closed' ? 1 : a.localeCompare(b),
  );
  const several = new Set(values.map((r) => r.connections)).size > 1;
  const colour = {
    field: 'model',
    type: 'nominal',
    title: 'model',
    scale: colourScale(results.cells.filter((c) => values.some((r) => r.model === c.model))),
  };
  const x = { field: 'load', type: 'ordinal', title: null, sort: loads, axis: { labelAngle: 0 } };
  const y = { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'cheap requests, ms (log)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${scenario}: the cheap requests' latency, closed loop vs open loop (timed from each request's due time)`,
    data: { values },
    facet: {
      column: { field: 'pct', type: 'nominal', title: null, sort: ['p50', 'p99'] },
      ...(several ? { row: { field: 'connections', type: 'ordinal', title: 'connections' } } : {}),
    },
    spec: {
      width: 260,
      height: 200,
      layer: [
        { mark: 'line', encoding: { x, y, color: colour, detail: { field: 'model' } } },
        {
          mark: { type: 'point', size: 70, filled: true, strokeWidth: 1.5 },
          encoding: {
            x,
            y,
            ...flaggedPoint(colour),
            tooltip: [
              { field: 'model' },
              { field: 'connections' },
              { field: 'load', title: 'load' },
              { field: 'pct' },
              { field: 'ms', format: ',.2f', title: 'ms (median of trials)' },
              { field: 'targetRps', format: ',.0f', title: 'target req/s' },
              { field: 'achievedRps', format: ',.0f', title: 'achieved req/s' },
              { field: 'mark', title: 'cell' },
              { field: 'notes' },
            ],
          },
        },
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Flat rows of a results file's measured cells, the data every chart plots. */
import type { Results } from '../../bench/results/schema.ts';

export type CellMark = 'ok' | 'client-bound' | 'errored' | 'starved';

/** A cell's worst flag: errors first, then starvation (its latency misleads), then a client limit. */
export function cellMark(flags: Results['cells'][number]['flags']): CellMark {
  if (flags.errored) return 'errored';
  if (flags.starved) return 'starved';
  return flags.clientBound ? 'client-bound' : 'ok';
}

/** One measured cell, with its flags spelled out for marks and tooltips. */
export interface CellRow {
  model: string;
  label: string;
  kind: 'model' | 'peer';
  scenario: string;
  connections: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50Ms: number;
  p50MinMs: number;
  p50MaxMs: number;
  p99Ms: number;
  p99MinMs: number;
  p99MaxMs: number;
  cpuPerKiloReq: number;
  rssMiB: number;
  trials: number;
  /**
   * `ok`; `client-bound` (a lower bound); `errored`; or `starved`: the model left
   * connections waiting unanswered, so its latency covers only the lucky ones.
   */
  mark: CellMark;
  notes: string;
}

export function cellRows(results: Results): CellRow[] {
  return results.cells.flatMap((c) => {
    const s = c.summary;
    // An open-loop cell's requests/s is the rate it was offered, not what the model can do: only open-vs-closed plots it.
    if (c.status !== 'ok' || s === null || c.loadMode === 'open') return [];
    const ms = (us: number): number => us / 1000;
    return [
      {
        model: c.model,
        label: c.kind === 'peer' ? `${c.model} (peer)` : c.model,
        kind: c.kind,
        scenario: c.scenario,
        connections: c.connections,
        rps: s.requestsPerSec.median,
        rpsMin: s.requestsPerSec.min,
        rpsMax: s.requestsPerSec.max,
        p50Ms: ms(s.p50Us.median),
        p50MinMs: ms(s.p50Us.min),
        p50MaxMs: ms(s.p50Us.max),
        p99Ms: ms(s.p99Us.median),
        p99MinMs: ms(s.p99Us.min),
        p99MaxMs: ms(s.p99Us.max),
        cpuPerKiloReq: s.cpuPerKiloReq.median,
        rssMiB: s.serverPeakRssBytes.median / 2 ** 20,
        trials: c.trials.length,
        mark: cellMark(c.flags),
        notes: c.flags.notes.join('; '),
      },
    ];
  });
}

/** One small chart per scenario, three to a row, each with its own y scale. */
export const facetByScenario = {
  facet: { field: 'scenario', type: 'nominal', title: null },
  columns: 3,
  resolve: { scale: { y: 'independent' } },
};

/** A point in the model's colour, shaped by its flag; a flagged one hollow, keeping its outline. */
export function flaggedPoint(colour: object): Record<string, object> {
  return {
    color: colour,
    stroke: colour,
    shape: flagShape,
    fillOpacity: { condition: { test: "datum.mark === 'ok'", value: 1 }, value: 0 },
  };
}

/** Shared encodings: the model colour, peers dashed, flagged cells hollow/shaped. */
export const flagShape = {
  field: 'mark',
  type: 'nominal',
  title: 'cell',
  scale: {
    domain: ['ok', 'client-bound', 'errored', 'starved'],
    range: ['circle', 'diamond', 'cross', 'triangle-down'],
  },
};
export const peerDash = {
  field: 'kind',
  type: 'nominal',
  title: 'kind',
  scale: {
    domain: ['model', 'peer'],
    range: [
      [1, 0],
      [4, 3],
    ],
  },
};

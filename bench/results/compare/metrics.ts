/**
 * The figures a comparison looks at, read per trial, and how each is normalised
 * within its own run so that a machine that is 15% slower today does not read as
 * a 15% regression of every model.
 */
import type { Cell, Results, Trial } from '../schema.ts';
import type { Direction } from './verdict.ts';

/**
 * absolute: raw figures. normalised: each figure divided by a reference measured
 * in the same run. both: a change is called only when the absolute and the
 * normalised comparison agree on it (the figures shown are the absolute ones).
 */
export type Mode = 'absolute' | 'normalised' | 'both';

/** A reference cell named model:scenario:connections, or the run's calibration ceiling. */
export type Reference =
  | { kind: 'calibration' }
  | { kind: 'cell'; model: string; scenario: string; connections: number };

/** One compared figure. */
export interface Metric {
  key: 'rps' | 'p99' | 'cpuPerReq' | 'rss';
  label: string;
  unit: string;
  direction: Direction;
  read: (trial: Trial) => number;
  /** A floor under --threshold for a figure that moves more than the others between runs of the same code. */
  minThreshold?: number;
}

export const metrics: Metric[] = [
  { key: 'rps', label: 'requests/s', unit: 'req/s', direction: 'bigger', read: (t) => t.requestsPerSec },
  { key: 'p99', label: 'p99 latency', unit: 'µs', direction: 'smaller', read: (t) => t.latencyUs.p99 },
  {
    key: 'cpuPerReq',
    label: 'CPU per request',
    unit: 'µs',
    direction: 'smaller',
    read: (t) => (t.serverCpuSec * 1e6) / Math.max(1, t.requests),
  },
  // Peak RSS of a process tree sampled every 100 ms: with a process per request it depends on how many
  // children were alive at a sample, and moved by up to 22% between A/A runs of the ci profile.
  {
    key: 'rss',
    label: 'peak RSS',
    unit: 'bytes',
    direction: 'smaller',
    read: (t) => t.serverPeakRssBytes,
    minThreshold: 0.25,
  },
];

/**
 * The counted metric (`--measure instructions`): user-space instructions per request, compared
 * before any timed figure. Counts repeat to about 1% whatever the machine does, so no normalisation
 * and no test over trials: a change is called when it passes `countedThreshold` and three times the
 * two runs' block deviations together (a change inside the blocks' own scatter is not one).
 */
export const countedMetric = {
  key: 'instructions' as const,
  label: 'instructions per request',
  unit: 'instr',
  direction: 'smaller' as const,
};
/**
 * 2%: five A/A runs of event-loop /hello on the shared 2-core VM, some beside other Valgrind runs,
 * differed by up to 1.63% (V8 sizes its young generation by allocation per millisecond: README, In CI).
 */
export const countedThreshold = 0.02;

/** A cell's identity across runs. */
export function cellKey(cell: Pick<Cell, 'model' | 'scenario' | 'connections' | 'loadMode' | 'rate'>): string {
  // An open-loop cell (`--rate`) is another measurement than the closed-loop one of the same model, scenario and connections.
  const open = cell.loadMode === 'open' ? `:open@${cell.rate?.requested ?? '?'}` : '';
  return `${cell.model}:${cell.scenario}:${cell.connections}${open}`;
}

/** Parse `model:scenario:connections`; null when malformed. */
export function parseReference(text: string): Reference | null {
  if (text === 'calibration') return { kind: 'calibration' };
  const match = /^([^:]+):([^:]+):(\d+)$/.exec(text);
  if (!match) return null;
  return { kind: 'cell', model: match[1] as string, scenario: match[2] as string, connections: Number(match[3]) };
}

function middle(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 ? (sorted[(n - 1) / 2] as number) : ((sorted[n / 2 - 1] as number) + (sorted[n / 2] as number)) / 2;
}

/**
 * The factors a run's figures are multiplied by in normalised mode. Throughput is
 * divided by the reference's throughput. Latency and CPU per request are divided by
 * the reference's per-request time: with a reference cell, its p99 and its CPU per
 * request; with the calibration ceiling, its per-request time 1/ceiling (a slower machine has a lower
 * ceiling and longer times alike, so the product holds still). Peak RSS does not
 * drift with CPU speed and stays absolute.
 */
export interface Factors {
  rps: number;
  p99: number;
  cpuPerReq: number;
  rss: number;
}

/** How a run's trials are scaled: per trial, since a run of several rounds calibrates each round. */
export interface Scale {
  factors(trial: Trial): Factors;
  /** Plain words for the output: what the figures were divided by. */
  describe: string;
}

export class NormalisationError extends Error {
  override name = 'NormalisationError';
}

/**
 * The calibrations for plain requests (pipelined ones measure another load), with
 * a ceiling measured: what normalisation and the drift warning read.
 */
export function plainCalibrations(results: Results): Results['calibration'] {
  return results.calibration.filter((c) => (c.pipelining ?? 1) === 1 && c.requestsPerSec > 0);
}

/** Times in µs × ceiling / 1e6: a time in units of the ceiling's per-request time, dimensionless. */
function byCeiling(ceiling: number): Factors {
  return { rps: 1 / ceiling, p99: ceiling / 1e6, cpuPerReq: ceiling / 1e6, rss: 1 };
}

export function scaleFor(results: Results, mode: Mode, reference: Reference, where: string): Scale {
  if (mode !== 'normalised') {
    const one: Factors = { rps: 1, p99: 1, cpuPerReq: 1, rss: 1 };
    return { factors: () => one, describe: 'absolute figures' };
  }
  if (reference.kind === 'calibration') {
    // The ceiling for plain requests (pipelined calibrations measure another load), and in a
    // run of rounds each round's own: the load generator's speed nearest the trial.
    const plain = plainCalibrations(results);
    const ceiling = middle(plain.map((c) => c.requestsPerSec));
    if (!Number.isFinite(ceiling))
      throw new NormalisationError(
        `${where} has no calibration ceiling to normalise by; use --reference model:scenario:connections or --mode absolute`,
      );
    const perRound = new Map(
      plain.filter((c) => c.round !== undefined).map((c) => [c.round, byCeiling(c.requestsPerSec)]),
    );
    const whole = byCeiling(ceiling);
    const describe =
      perRound.size > 1
        ? `each round's calibration ceiling (median ${Math.round(ceiling)} req/s)`
        : `calibration ceiling (${Math.round(ceiling)} req/s)`;
    return { factors: (trial) => perRound.get(trial.round) ?? whole, describe };
  }
  const cell = results.cells.find((c) => cellKey(c) === cellKey(reference));
  if (cell?.status !== 'ok' || cell.trials.length === 0) {
    throw new NormalisationError(`${where} has no measured reference cell ${cellKey(reference)}`);
  }
  const ref = (key: Metric['key']) => middle(cell.trials.map((metrics.find((m) => m.key === key) as Metric).read));
  const factors: Factors = { rps: 1 / ref('rps'), p99: 1 / ref('p99'), cpuPerReq: 1 / ref('cpuPerReq'), rss: 1 };
  return { factors: () => factors, describe: `reference cell ${cellKey(reference)}` };
}

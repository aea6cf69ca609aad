/**
 * Compare two results files cell by cell: for every cell present in both, every
 * metric gets a verdict; cells present in one file only are listed as added or
 * removed. Differences of machine or configuration are collected as warnings.
 */
import { median } from 'simple-statistics';
import type { Cell, Results } from '../schema.ts';
import { cellKey, countedMetric, countedThreshold, metrics, plainCalibrations, scaleFor } from './metrics.ts';
import type { Metric, Mode, Reference, Scale } from './metrics.ts';
import { judge, verdictDefaults } from './verdict.ts';
import type { MetricVerdict, Verdict } from './verdict.ts';

/** How to compare. */
export interface CompareOptions {
  mode: Mode;
  reference: Reference;
  threshold: number;
}

/**
 * Both, by measurement (README, *In CI*): on a shared two-core VM, ten A/A
 * comparisons of the ci profile (five runs of one commit) flagged 80 of 200
 * cells in absolute figures (the machine's speed moved between runs), 32 of 200
 * normalised by the calibration (which moves on its own, on the load
 * generator's CPU), and 1 of 200 when both had to agree.
 */
export const compareDefaults: CompareOptions = {
  mode: 'both',
  reference: { kind: 'calibration' },
  threshold: verdictDefaults.threshold,
};

/** One metric of one cell. */
export interface MetricRow extends MetricVerdict {
  metric: Metric['key'] | typeof countedMetric.key;
  label: string;
  unit: string;
  direction: Metric['direction'];
  /**
   * In mode `both`: the two comparisons behind the verdict (the row's own figures
   * are the absolute ones). The verdict is theirs when they agree, else inconclusive.
   */
  agreement?: { absolute: Verdict; normalised: Verdict; normalisedChange: number };
  /**
   * A timed figure of a cell that also has a counted one: shown as the second view, never the verdict
   * that fails a comparison (the count is reproducible, the clock on a shared machine is not).
   */
  advisory?: boolean;
}

/** One cell present in both runs. */
export interface CellComparison {
  key: string;
  model: string;
  scenario: string;
  connections: number;
  /** Why some or all of its metrics were not compared (a side failed or has no trials; a starved cell's p99). */
  note?: string;
  rows: MetricRow[];
}

/** The whole comparison, as written to --json. */
export interface Comparison {
  options: { mode: Mode; threshold: number; normalisedBy: { baseline: string; current: string } };
  baseline: { runId: string; commit: string | null };
  current: { runId: string; commit: string | null };
  warnings: string[];
  /**
   * What makes the two runs not the same measurement: a configuration that differs, cells that one
   * run has and the other lacks. The command refuses to judge such runs (exit 2) unless --force.
   */
  mismatches: string[];
  cells: CellComparison[];
  added: string[];
  removed: string[];
  /** True when any cell regressed on any metric (exit code 1). */
  regressed: boolean;
  /** True when some metric was decided by the threshold alone (fewer than 3 trials a side). */
  thresholdOnly: boolean;
}

/** Ceilings further apart than this factor between two runs get a warning. */
const ceilingDrift = 1.25;

/** The median calibrated ceiling for plain (unpipelined) requests, or null when the run has none. */
function plainCeiling(results: Results): number | null {
  const values = plainCalibrations(results).map((c) => c.requestsPerSec);
  return values.length > 0 ? median(values) : null;
}

function signedPercent(x: number): string {
  return `${x >= 0 ? '+' : ''}${(x * 100).toFixed(0)}%`;
}

const configKeys = [
  'profile',
  'durationSec',
  'warmupSec',
  'trials',
  'rounds',
  'loadgen',
  'serverCpus',
  'clientCpus',
] as const;

/** The configuration keys whose values differ between two runs, in words. */
function configDifferences(baseline: Results, current: Results): string[] {
  return configKeys
    .filter((key) => JSON.stringify(baseline.config[key]) !== JSON.stringify(current.config[key]))
    .map(
      (key) =>
        `configuration differs: ${key} ${JSON.stringify(baseline.config[key])} → ${JSON.stringify(current.config[key])}`,
    );
}

function differences(baseline: Results, current: Results): string[] {
  const warnings: string[] = [];
  const machineKeys = ['cpuModel', 'cores', 'memoryBytes', 'os', 'node'] as const;
  for (const key of machineKeys) {
    if (baseline.machine[key] !== current.machine[key]) {
      warnings.push(
        `machine differs: ${key} ${JSON.stringify(baseline.machine[key])} → ${JSON.stringify(current.machine[key])}`,
      );
    }
  }
  warnings.push(...configDifferences(baseline, current));
  const before = plainCeiling(baseline);
  const after = plainCeiling(current);
  if (before !== null && after !== null && Math.abs(Math.log(after / before)) > Math.log(ceilingDrift)) {
    warnings.push(
      `the load generator's calibrated ceiling moved ${Math.round(before)} → ${Math.round(after)} req/s (${signedPercent(after / before - 1)}): the machine ran at another speed, or was busier; absolute figures will have moved with it`,
    );
  }
  if (current.git.dirty) warnings.push('current run was measured on a dirty working tree');
  if (!baseline.complete || !current.complete)
    warnings.push('a run is incomplete (interrupted): only the cells it measured are compared');
  return warnings;
}

/**
 * How far a cell's counted blocks stray from their median, relative (median absolute deviation): a
 * robust spread, which one block holding a scavenge the others do not hold leaves alone. Without the
 * blocks, half the summary's range.
 */
function blockDeviation(cell: Cell): number {
  const s = cell.summary?.instructionsPerRequest;
  if (!s || s.median <= 0) return 0;
  const blocks = cell.counted?.blocks ?? [];
  if (blocks.length === 0) return (s.max - s.min) / 2 / s.median;
  return median(blocks.map((b) => Math.abs(b - s.median))) / s.median;
}

/** The counted row of a cell measured in both runs (see countedMetric), or undefined. */
export function countedRow(then: Cell, now: Cell): MetricRow | undefined {
  const a = then.summary?.instructionsPerRequest;
  const b = now.summary?.instructionsPerRequest;
  if (!a || !b || a.median <= 0) return undefined;
  const change = b.median / a.median - 1;
  const needed = Math.max(countedThreshold, 3 * (blockDeviation(then) + blockDeviation(now)));
  const verdict: Verdict =
    Math.abs(change) <= needed
      ? 'unchanged'
      : change > 0 === (countedMetric.direction === 'smaller')
        ? 'regressed'
        : 'improved';
  return {
    metric: countedMetric.key,
    label: countedMetric.label,
    unit: countedMetric.unit,
    direction: countedMetric.direction,
    baseline: a.median,
    current: b.median,
    change,
    interval: [b.min / a.max - 1, b.max / a.min - 1],
    p: null,
    verdict,
    thresholdOnly: false,
  };
}

function scaled(cell: Cell, metric: Metric, scale: Scale): number[] {
  return cell.trials.map((t) => metric.read(t) * scale.factors(t)[metric.key]);
}

const starvedNote =
  'p99 not compared: the model left connections unanswered (starved), so its p99 covers only the connections it happened to serve';

/** Two verdicts on one metric, one of them: agreement, else the change is not established. */
function agreed(absolute: Verdict, normalised: Verdict): Verdict {
  if (absolute === normalised) return absolute;
  // unchanged beside inconclusive is still nothing established either way.
  return 'inconclusive';
}

/** Compare two validated results; throws NormalisationError when normalisation has nothing to divide by. */
export function compareResults(
  baseline: Results,
  current: Results,
  options: CompareOptions = compareDefaults,
): Comparison {
  if (options.mode === 'both') return bothWays(baseline, current, options);
  const baseScale = scaleFor(baseline, options.mode, options.reference, 'baseline');
  const curScale = scaleFor(current, options.mode, options.reference, 'current');
  const before = new Map(baseline.cells.map((c) => [cellKey(c), c]));
  const after = new Map(current.cells.map((c) => [cellKey(c), c]));
  const cells: CellComparison[] = [];
  for (const [key, now] of after) {
    const then = before.get(key);
    if (!then) continue;
    const base = { key, model: now.model, scenario: now.scenario, connections: now.connections };
    const counted = then.status === 'ok' && now.status === 'ok' ? countedRow(then, now) : undefined;
    if (counted && (!then.trials.length || !now.trials.length)) {
      cells.push({ ...base, rows: [counted] });
      continue;
    }
    if (then.status !== 'ok' || now.status !== 'ok' || !then.trials.length || !now.trials.length) {
      cells.push({ ...base, note: `not compared: baseline ${then.status}, current ${now.status}`, rows: [] });
      continue;
    }
    // A starved cell's p99 is that of the few connections the model served: it moves with which ones those were.
    const starved = then.flags.starved || now.flags.starved;
    const rows = metrics
      .filter((metric) => !(starved && metric.key === 'p99'))
      .map(
        (metric): MetricRow => ({
          metric: metric.key,
          label: metric.label,
          unit: metric.unit,
          direction: metric.direction,
          ...judge(
            scaled(then, metric, baseScale),
            scaled(now, metric, curScale),
            metric.direction,
            Math.max(options.threshold, metric.minThreshold ?? 0),
          ),
          ...(counted ? { advisory: true } : {}),
        }),
      );
    cells.push({ ...base, ...(starved ? { note: starvedNote } : {}), rows: counted ? [counted, ...rows] : rows });
  }
  const all = cells.flatMap((c) => c.rows);
  const added = [...after.keys()].filter((k) => !before.has(k));
  const removed = [...before.keys()].filter((k) => !after.has(k));
  return {
    options: {
      mode: options.mode,
      threshold: options.threshold,
      normalisedBy: { baseline: baseScale.describe, current: curScale.describe },
    },
    baseline: { runId: baseline.runId, commit: baseline.git.commit },
    current: { runId: current.runId, commit: current.git.commit },
    warnings: differences(baseline, current),
    mismatches: [
      ...configDifferences(baseline, current),
      ...(added.length ? [`cells only in the current run: ${added.join(', ')}`] : []),
      ...(removed.length ? [`cells only in the baseline: ${removed.join(', ')}`] : []),
    ],
    cells,
    added,
    removed,
    regressed: all.some((r) => r.verdict === 'regressed' && !r.advisory),
    thresholdOnly: all.some((r) => r.thresholdOnly),
  };
}

/** Mode `both`: the absolute comparison's figures, each verdict only where the normalised one agrees. */
function bothWays(baseline: Results, current: Results, options: CompareOptions): Comparison {
  const absolute = compareResults(baseline, current, { ...options, mode: 'absolute' });
  const normalised = compareResults(baseline, current, { ...options, mode: 'normalised' });
  const cells = absolute.cells.map((cell, i) => ({
    ...cell,
    rows: cell.rows.map((row, j): MetricRow => {
      const other = normalised.cells[i]?.rows[j] as MetricRow;
      return {
        ...row,
        verdict: agreed(row.verdict, other.verdict),
        agreement: { absolute: row.verdict, normalised: other.verdict, normalisedChange: other.change },
      };
    }),
  }));
  const all = cells.flatMap((c) => c.rows);
  return {
    ...absolute,
    options: { ...absolute.options, mode: 'both', normalisedBy: normalised.options.normalisedBy },
    cells,
    regressed: all.some((r) => r.verdict === 'regressed' && !r.advisory),
  };
}

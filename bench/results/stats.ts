/**
 * The harness's statistics: percentiles of raw samples, the median and spread of
 * a figure over trials, and a cell's summary. Pure functions over numbers, so the
 * unit tests can check them against known answers.
 */
import { median, medianAbsoluteDeviation, quantileSorted } from 'simple-statistics';
import type { Cell, Stat, Trial } from './schema.ts';

/** The p-th percentile (0-100) of unsorted samples, by linear interpolation; 0 for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return 0;
  if (p < 0 || p > 100) throw new RangeError(`percentile must be within 0-100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  return quantileSorted(sorted, p / 100);
}

/**
 * Median, range and relative spread of one figure over trials. The spread is the
 * median absolute deviation over the median: robust to one odd trial, which on a
 * shared two-core machine is the usual kind of noise.
 */
export function stat(values: readonly number[]): Stat {
  if (values.length === 0) return { median: 0, min: 0, max: 0, relSpread: 0 };
  const list = [...values];
  const mid = median(list);
  const mad = list.length > 1 ? medianAbsoluteDeviation(list) : 0;
  return {
    median: mid,
    min: Math.min(...list),
    max: Math.max(...list),
    relSpread: mid === 0 ? 0 : Math.abs(mad / mid),
  };
}

/** Server CPU seconds per 1,000 requests in one trial (0 when it served none). */
export function cpuPerKiloRequests(trial: Trial): number {
  return trial.requests === 0 ? 0 : (trial.serverCpuSec * 1000) / trial.requests;
}

/** The summary of a cell's measured trials (never the warm-up), or null when there are none. */
export function summarize(trials: readonly Trial[]): NonNullable<Cell['summary']> | null {
  if (trials.length === 0) return null;
  const of = (pick: (t: Trial) => number): Stat => stat(trials.map(pick));
  const groupNames = [...new Set(trials.flatMap((t) => Object.keys(t.groups ?? {})))];
  const summary: NonNullable<Cell['summary']> = {
    requestsPerSec: of((t) => t.requestsPerSec),
    bytesPerSec: of((t) => t.bytesPerSec),
    p50Us: of((t) => t.latencyUs.p50),
    p90Us: of((t) => t.latencyUs.p90),
    p99Us: of((t) => t.latencyUs.p99),
    p999Us: of((t) => t.latencyUs.p999),
    maxUs: of((t) => t.latencyUs.max),
    cpuPerKiloReq: of(cpuPerKiloRequests),
    serverPeakRssBytes: of((t) => t.serverPeakRssBytes),
    loadgenCpuShare: of((t) => t.loadgenCpuShare),
    errors: sum(trials.map((t) => t.errors)),
    timeouts: sum(trials.map((t) => t.timeouts)),
    non2xx: sum(trials.map((t) => t.non2xx)),
  };
  const withDb = trials.filter((t) => t.dbCpuSec !== undefined);
  if (withDb.length > 0) {
    summary.dbCpuPerKiloReq = stat(withDb.map((t) => (t.requests === 0 ? 0 : ((t.dbCpuSec ?? 0) * 1000) / t.requests)));
    summary.dbPeakRssBytes = stat(withDb.map((t) => t.dbPeakRssBytes ?? 0));
  }
  const counted = trials.flatMap((t) => (t.dbConnections === undefined ? [] : [t.dbConnections]));
  if (counted.length > 0) summary.dbConnections = stat(counted);
  if (groupNames.length > 0) {
    summary.groupP99Us = Object.fromEntries(
      groupNames.map((g) => [g, stat(trials.flatMap((t) => (t.groups?.[g] ? [t.groups[g].latencyUs.p99] : [])))]),
    );
  }
  return summary;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

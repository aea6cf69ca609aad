/**
 * The flags a cell carries wherever it is shown: `clientBound` when the load
 * generator, not the server, was the limit (its figures are then a lower bound
 * for the server), and `errored` when anything but a 2xx answer happened under
 * load. A pure function of the cell's summary and the run's calibration.
 */
import { median } from 'simple-statistics';
import type { Cell, Trial } from '../results/schema.ts';

/** When a cell counts as limited by its load generator. */
export interface ClientBoundThresholds {
  /** Throughput at or above this share of the calibrated ceiling (0-1). */
  ceilingShare: number;
  /** Load generator CPU at or above this share of one core (0-1). */
  loadgenCpuShare: number;
}

export const defaultThresholds: ClientBoundThresholds = { ceilingShare: 0.85, loadgenCpuShare: 0.9 };

/**
 * Above this share of the calibrated ceiling a cell questions the calibration instead of being
 * called client-bound: the ceiling is what the load generator reached against a canned-response
 * server, so a real server served faster only if the calibration ran in a slow moment.
 */
export const aboveCeilingShare = 1.1;

/**
 * A cell counts as measured on a busy machine when, in the median trial, processes other than the
 * server, the load generator and the harness used at least this share of one CPU: on two cores
 * that is time the server's CPUs or the load generator's lost to another job.
 */
export const busyOtherCpuShare = 0.25;

/** A request still waiting at the end of a trial counts as starved past this wait and ten times the trial's p99. */
export const starvedAfterUs = 500_000;

/**
 * Flags for a cell from its summary. `ceilingRps` is the load generator's
 * calibrated ceiling for this kind of load, or null when none was measured.
 */
export function cellFlags(
  summary: Cell['summary'],
  ceilingRps: number | null,
  thresholds: ClientBoundThresholds = defaultThresholds,
  trials: readonly Trial[] = [],
): Cell['flags'] {
  const notes: string[] = [];
  if (!summary) return { clientBound: false, errored: false, notes };
  let clientBound = false;
  const rps = summary.requestsPerSec.median;
  const share = ceilingRps !== null && ceilingRps > 0 ? rps / ceilingRps : 0;
  if (share > aboveCeilingShare) {
    // Faster than the ceiling: the calibration, not the cell, is in question.
    notes.push(
      `throughput was ${percent(share)} of the load generator's calibrated ceiling (${Math.round(ceilingRps!)} req/s): the calibration ran low (a busy moment?), so only the load generator's CPU says whether this cell was client-bound`,
    );
  } else if (share >= thresholds.ceilingShare) {
    clientBound = true;
    notes.push(
      `throughput reached ${percent(share)} of the load generator's calibrated ceiling (${Math.round(ceilingRps!)} req/s)`,
    );
  }
  const cpu = summary.loadgenCpuShare.median;
  if (cpu >= thresholds.loadgenCpuShare) {
    clientBound = true;
    notes.push(`the load generator used ${percent(cpu)} of a core`);
  }
  const { errors, timeouts, non2xx } = summary;
  const errored = errors + timeouts + non2xx > 0;
  if (errored) notes.push(`under load: ${errors} errors, ${timeouts} timeouts, ${non2xx} non-2xx answers`);
  const starvedTrials = trials.filter(
    (t) => (t.oldestUnansweredUs ?? 0) >= Math.max(starvedAfterUs, 10 * t.latencyUs.p99),
  );
  if (starvedTrials.length > 0) {
    const worst = Math.max(...starvedTrials.map((t) => t.oldestUnansweredUs ?? 0));
    const waiting = Math.max(...starvedTrials.map((t) => t.unanswered ?? 0));
    notes.push(
      `starved: up to ${waiting} requests were still unanswered when a trial ended, the oldest after ${(worst / 1e6).toFixed(2)} s; latency percentiles cover answered requests only`,
    );
  }
  // A trial that got no answer at all starved every connection, even when the load generator cannot
  // say what was pending (wrk cannot; autocannon's timeouts reconnect and reset the wait).
  const silentTrials = trials.filter((t) => t.requests === 0 && t.durationSec * 1e6 >= starvedAfterUs);
  if (silentTrials.length > 0)
    notes.push(
      `starved: ${silentTrials.length} of ${trials.length} trials got no answer at all; their latency figures are zeros, not fast answers`,
    );
  const others = trials.flatMap((t) => (t.otherCpuSec === undefined ? [] : [t.otherCpuSec / t.durationSec]));
  const other = others.length > 0 ? median(others) : 0;
  const busy = other >= busyOtherCpuShare;
  if (busy)
    notes.push(
      `busy machine: other processes used ${percent(other)} of a CPU during the median trial; the figures may be lower than the model's`,
    );
  return {
    clientBound,
    errored,
    ...(trials.length > 0 ? { starved: starvedTrials.length + silentTrials.length > 0 } : {}),
    ...(busy ? { busy } : {}),
    notes,
  };
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/**
 * One cell: a target under one scenario at one connection count. Start the
 * server, check its answers (a wrong answer fails the cell and nothing is
 * timed), warm up, run the trials while sampling the server's process tree,
 * stop the server and make sure it left nothing behind.
 */
import { cellFlags } from './verdicts.ts';
import type { ClientBoundThresholds } from './verdicts.ts';
import { SlowClientsLoadGenerator } from '../loadgen/slow-clients.ts';
import type { LoadGenerator, LoadJob, LoadResult } from '../loadgen/types.ts';
import type { Cell, Trial } from '../results/schema.ts';
import { machineBusyCpuSec } from '../os/procfs.ts';
import { TreeSampler } from '../os/sampler.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';
import { summarize } from '../results/stats.ts';
import { stopProblem } from '../targets/types.ts';
import type { RunningTarget, Target } from '../targets/types.ts';
import { contractOf, validateScenario } from '../check/validate.ts';
import { checkUpdatesPersisted } from '../check/updates.ts';
import { ConnectionSampler, type RunDatabase } from './database.ts';

/** The settings a cell runs with. */
export interface CellSettings {
  durationSec: number;
  warmupSec: number;
  trials: number;
  timeoutSec: number;
  validationTimeoutMs: number;
  sampleIntervalMs: number;
  thresholds: ClientBoundThresholds;
  /** The load generator's CPUs, where helper processes such as slow clients are pinned too (absent or null = unpinned). */
  clientCpus?: string | null;
}

/**
 * How a cell offers its load in a run with `--rate`: closed loop, or open loop
 * at a target rate (or the reason no target could be worked out).
 */
export type CellLoad =
  | { mode: 'closed' }
  | { mode: 'open'; requested: string; targetRps: number }
  | { mode: 'open'; requested: string; error: string };

/** An open-loop cell that completes less than this share of its target rate could not keep up. */
const keptUpShare = 0.9;

/** What a cell is told as it goes, for the progress display. */
/** Connections the warm-up opens at most (the trial opens the cell's own count). */
export const warmupConnections = 8;

export type CellPhase =
  | 'starting'
  | 'validating'
  | 'warm-up'
  | `trial ${number}/${number}`
  | 'stopping'
  | 'counting instructions';

/** Everything one cell needs. */
export interface CellInput {
  target: Target;
  scenario: ScenarioDef;
  connections: number;
  loadgen: LoadGenerator;
  settings: CellSettings;
  /** The load generator's calibrated ceiling for this scenario's kind of load, or null. */
  ceilingRps: number | null;
  /** Absent: closed loop, not recorded on the cell (runs without `--rate`). */
  load?: CellLoad | undefined;
  /** The run's database server, for a scenario that asks it: sampled beside the server, updates read back. */
  database?: RunDatabase | undefined;
  /**
   * The generator the warm-up runs with when the cell's own cannot run as briefly (wrk counts whole
   * seconds, so a 0.3 s warm-up would take 1 s): the warm-up is for the server's code, whoever sends.
   */
  warmupLoadgen?: LoadGenerator | undefined;
  onPhase?: (phase: CellPhase) => void;
}

/** Run one cell; never throws: a failure becomes a cell with status 'failed' and its reason. */
export async function runCell(input: CellInput): Promise<Cell> {
  const { target, scenario, connections, settings } = input;
  // The slow-clients scenario runs its slow connections beside the load generator's.
  const loadgen = scenario.slowClients
    ? new SlowClientsLoadGenerator(input.loadgen, scenario.slowClients, settings.clientCpus ?? null)
    : input.loadgen;
  const base = {
    model: target.name,
    kind: target.kind,
    scenario: scenario.name,
    connections,
    loadgen: loadgen.name,
    ...(target.node ? { node: target.node } : {}),
    ...(input.load ? { loadMode: input.load.mode } : {}),
    ...(scenario.database === 'cached' && input.database ? { cache: input.database.cache } : {}),
  };
  const failed = (
    error: string,
    validation: Cell['validation'] = { ok: false, checked: 0, failures: [] },
    trials: Trial[] = [],
    warmup: Trial | null = null,
  ): Cell => {
    const summary = summarize(trials);
    return {
      ...base,
      status: 'failed',
      error,
      validation,
      warmup,
      trials,
      summary,
      flags: cellFlags(summary, input.ceilingRps, settings.thresholds, trials),
    };
  };

  if (input.load && 'error' in input.load) return failed(`open loop at ${input.load.requested}: ${input.load.error}`);
  const rate = input.load && 'targetRps' in input.load ? input.load.targetRps : undefined;
  if (scenario.cookieJar && !input.loadgen.keepsCookies)
    return failed(
      `${scenario.name} needs a cookie jar per connection, which ${input.loadgen.name} does not keep: use autocannon`,
    );

  input.onPhase?.('starting');
  let running: RunningTarget;
  try {
    running = await target.start();
  } catch (error) {
    return failed(`did not start: ${(error as Error).message}`);
  }

  let validation: Cell['validation'] = { ok: false, checked: 0, failures: [] };
  let warmup: Trial | null = null;
  const trials: Trial[] = [];
  const notes = new Set<string>();
  let error: string | undefined;
  try {
    input.onPhase?.('validating');
    validation = await validateScenario(running.url, scenario, settings.validationTimeoutMs, contractOf(input.target));
    const database = scenario.database ? input.database : undefined;
    const readBack = async (): Promise<string[]> =>
      scenario.database === 'writes' && database
        ? checkUpdatesPersisted(running.url, scenario, database, settings.validationTimeoutMs)
        : [];
    const unsaved = validation.ok ? await readBack() : [];
    if (unsaved.length > 0) validation = { ok: false, checked: validation.checked + 1, failures: unsaved };
    if (!validation.ok) {
      error = `wrong answers, not timed: ${validation.failures[0] ?? 'unknown'}${validation.failures.length > 1 ? ` (+${validation.failures.length - 1} more)` : ''}`;
    } else {
      const job = (durationSec: number, open = connections): LoadJob => ({
        url: running.url,
        connections: open,
        durationSec,
        pipelining: scenario.pipelining,
        newConnectionPerRequest: scenario.newConnectionPerRequest,
        ...(scenario.cookieJar ? { cookieJar: true } : {}),
        requests: scenario.requests.map(({ check: _check, ...request }) => request),
        timeoutSec: settings.timeoutSec,
        ...(rate === undefined ? {} : { rate }),
      });
      if (settings.warmupSec > 0) {
        input.onPhase?.('warm-up');
        // At most warmupConnections: the warm-up is for the server's code, and a model that serves one
        // connection or one child at a time would otherwise still be working off the warm-up's queue
        // (requests of clients already gone) when the trial begins, and answer nothing in it.
        const open = Math.min(connections, warmupConnections);
        const warmer = input.warmupLoadgen && !scenario.slowClients ? input.warmupLoadgen : loadgen;
        warmup = await measure(running, warmer, job(settings.warmupSec, open), settings, notes, database);
      }
      for (let i = 1; i <= settings.trials; i++) {
        input.onPhase?.(`trial ${i}/${settings.trials}`);
        trials.push(await measure(running, loadgen, job(settings.durationSec), settings, notes, database));
      }
      // After the load, when nothing else writes: what the server answers is still what it stores.
      const lost = await readBack();
      if (lost.length > 0) error = `after the trials: ${lost[0]}`;
    }
  } catch (caught) {
    error = `under load: ${(caught as Error).message}`;
  } finally {
    input.onPhase?.('stopping');
    const problem = stopProblem(await running.stop());
    if (problem) error = error ? `${error}; then it ${problem}` : `on stop it ${problem}`;
  }

  if (error) return failed(error, validation, trials, warmup);
  const summary = summarize(trials);
  const flags = cellFlags(summary, input.ceilingRps, settings.thresholds, trials);
  flags.notes.push(...notes);
  if (input.load && 'targetRps' in input.load && summary) {
    const { requested, targetRps } = input.load;
    const achievedRps = summary.requestsPerSec.median;
    if (achievedRps < keptUpShare * targetRps) {
      const who = flags.clientBound ? 'the load generator (client-bound) or the server' : 'the server';
      flags.notes.push(
        `open loop at ${requested}: ${Math.round(achievedRps)} of the ${Math.round(targetRps)} req/s targeted were answered; ${who} could not keep up, so requests queued in the client and that wait is in their latency`,
      );
    }
    return {
      ...base,
      rate: { requested, targetRps, achievedRps },
      status: 'ok',
      validation,
      warmup,
      trials,
      summary,
      flags,
    };
  }
  return { ...base, status: 'ok', validation, warmup, trials, summary, flags };
}

/**
 * A cell measured again in a later round, joined to what it had: every trial
 * kept, the summary and flags worked out afresh over all of them (against the
 * run's median ceiling so far), notes of either kept. A round that failed
 * fails the cell, with the round named; the first validation and warm-up stand.
 */
export function mergeRounds(
  before: Cell,
  now: Cell,
  round: number,
  ceilingRps: number | null,
  thresholds: ClientBoundThresholds,
): Cell {
  const trials = [...before.trials, ...now.trials];
  const summary = summarize(trials);
  const flags = cellFlags(summary, ceilingRps, thresholds, trials);
  // Notes cellFlags does not derive (load generator notes, open-loop shortfalls) would be lost by recomputing: keep them.
  const derived = (cell: Cell) => new Set(cellFlags(cell.summary, ceilingRps, thresholds, cell.trials).notes);
  for (const cell of [before, now]) {
    const own = derived(cell);
    for (const note of cell.flags.notes) if (!own.has(note) && !flags.notes.includes(note)) flags.notes.push(note);
  }
  const failure =
    before.status === 'failed'
      ? before.error
      : now.status === 'failed'
        ? `round ${round}: ${now.error ?? 'failed'}`
        : undefined;
  const merged: Cell = { ...before, trials, summary, flags, status: failure ? 'failed' : 'ok' };
  if (failure) merged.error = failure;
  if (before.rate && summary) merged.rate = { ...before.rate, achievedRps: summary.requestsPerSec.median };
  if (!before.validation.ok || now.validation.ok) return merged;
  return { ...merged, validation: now.validation };
}

/** One timed run of the load generator with the server's process tree sampled around it. */
async function measure(
  running: RunningTarget,
  loadgen: LoadGenerator,
  job: LoadJob,
  settings: CellSettings,
  notes: Set<string>,
  database: RunDatabase | undefined,
): Promise<Trial> {
  const sampler = running.pid === null ? null : new TreeSampler(running.pid, settings.sampleIntervalMs);
  const dbSampler = database?.pid ? new TreeSampler(database.pid, settings.sampleIntervalMs) : null;
  const cacheSampler = database?.cachePid ? new TreeSampler(database.cachePid, settings.sampleIntervalMs) : null;
  const connections = database ? new ConnectionSampler(database) : null;
  sampler?.start();
  dbSampler?.start();
  cacheSampler?.start();
  connections?.start();
  const machineAtStart = machineBusyCpuSec();
  const harnessAtStart = process.cpuUsage();
  let result: LoadResult;
  try {
    result = await loadgen.run(job);
  } catch (error) {
    sampler?.stop();
    dbSampler?.stop();
    cacheSampler?.stop();
    await connections?.stop();
    throw error;
  }
  const usage = sampler?.stop();
  const machineAtEnd = machineBusyCpuSec();
  const harness = process.cpuUsage(harnessAtStart);
  const dbUsage = dbSampler?.stop();
  const cacheUsage = cacheSampler?.stop();
  const dbConnections = await connections?.stop();
  if (database && !dbUsage)
    notes.add("database server's CPU and memory not measured (a server the harness did not start)");
  const dbFigures = {
    ...(dbUsage ? { dbCpuSec: dbUsage.cpuSec, dbPeakRssBytes: dbUsage.peakRssBytes } : {}),
    ...(dbConnections === undefined ? {} : { dbConnections }),
  };
  for (const note of result.notes) notes.add(note);
  if (!usage) {
    // A server the harness did not start (--target-url): its processes are unknown, so its CPU and memory are not measured.
    notes.add('server CPU and memory not measured (a server the harness did not start): they read 0');
    return { ...toTrial(result, 0, 0), serverSampled: false, ...dbFigures };
  }
  const trial = { ...toTrial(result, usage.cpuSec, usage.peakRssBytes), ...dbFigures };
  if (machineAtStart === null || machineAtEnd === null) return trial;
  // The database and cache servers this run started are ours too, not another process's load on the machine.
  const backends = (dbUsage?.cpuSec ?? 0) + (cacheUsage?.cpuSec ?? 0);
  const ours = usage.cpuSec + result.cpuSec + (harness.user + harness.system) / 1e6 + backends;
  return { ...trial, otherCpuSec: Math.max(0, machineAtEnd - machineAtStart - ours) };
}

/** A load generator's result and the server's usage, as the results file records a trial. */
export function toTrial(result: LoadResult, serverCpuSec: number, serverPeakRssBytes: number): Trial {
  const seconds = result.durationSec > 0 ? result.durationSec : 1e-9;
  return {
    durationSec: seconds,
    requests: result.requests,
    requestsPerSec: result.requests / seconds,
    bytesPerSec: result.bytes / seconds,
    latencyUs: result.latencyUs,
    ...(result.groups ? { groups: result.groups } : {}),
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    ...(result.unanswered !== undefined
      ? { unanswered: result.unanswered, oldestUnansweredUs: result.oldestUnansweredUs ?? 0 }
      : {}),
    serverCpuSec,
    serverPeakRssBytes,
    loadgenCpuSec: result.cpuSec,
    loadgenCpuShare: result.cpuSec / seconds,
    ...(result.slowClients ? { slowClients: result.slowClients } : {}),
  };
}

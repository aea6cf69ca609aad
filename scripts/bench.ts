/**
 * `npm run bench`: run a profile's matrix, show progress, write the results
 * file after every cell, print the closing table (or JSON) and render the
 * report. Exit 0 when every cell ran and answered correctly; 1 when any cell
 * failed or errored; 2 for a usage error; 130 after Ctrl-C (finished cells kept).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  calibrationLine,
  cellLine,
  outputWidth,
  peerRatioLines,
  Progress,
  resultsTable,
  wrapText,
} from '../bench/run/display.ts';
import { startCellLoadgens, startLoadgen } from '../bench/loadgen/start.ts';
import { rateLabel } from '../bench/loadgen/open-loop-rate.ts';
import { listModels, outOfScope, resolveTargets } from '../bench/plan/servers.ts';
import { networkConfig, networkNote, netnsUnavailable, pairFromEnv, runAcrossVeth } from '../bench/os/netns.ts';
import { parseOptions, usage, UsageError } from '../bench/plan/options.ts';
import type { RunOptions } from '../bench/plan/options.ts';
import { repoRoot } from '../bench/os/paths.ts';
import { everyCpu, place } from '../bench/os/placement.ts';
import { resolveRuntime } from '../bench/os/runtime.ts';
import { warmupConnections } from '../bench/run/cell.ts';
import { injectedFromEnvironment } from '../bench/run/counted-cell.ts';
import type { Placement } from '../bench/os/placement.ts';
import { isAlive, pinSelf, StartedProcesses } from '../bench/os/processes.ts';
import { benchDefaults, plannedSeconds } from '../bench/plan/profiles.ts';
import { writeResults } from '../bench/results/file.ts';
import { fitHelp } from '../bench/results/text.ts';
import { cellsCsv, runBmf } from '../bench/results/export.ts';
import { checkOutputFile, OutputPathError, writeFileAtomic } from '../bench/results/output.ts';
import type { Results } from '../bench/results/schema.ts';
import { emptyResults, planCells, planMatrix, runPlan } from '../bench/run/run.ts';
import type { PlannedCell, RunPlan } from '../bench/run/run.ts';
import { findScenario } from '../bench/plan/scenarios.ts';
import { databaseFor } from '../bench/run/database.ts';
import { databaseLines } from '../bench/run/database-lines.ts';
import type { ScenarioDef } from '../bench/plan/scenarios.ts';
import { cannedTarget } from '../bench/targets/canned.ts';
import type { TargetLaunch } from '../bench/targets/types.ts';

function runId(): string {
  return `${new Date()
    .toISOString()
    .replace(/:/g, '-')
    .replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}

/** The results file: --out as given, or `<run-id>.json` inside it when it names a folder. Checked before any work. */
function outPath(options: RunOptions, id: string): string {
  const given = options.out === null ? join(repoRoot, benchDefaults.outDir) : resolve(process.cwd(), options.out);
  const isFolder = options.out === null || (existsSync(given) && statSync(given).isDirectory());
  const path = isFolder ? join(given, `${id}.json`) : given;
  checkOutputFile(path, 'results file');
  return path;
}

/**
 * A parallel scenario's cells (cpu, mixed) get a second target, the same server lent every CPU, when
 * the run's placement is the default one and gives the server fewer CPUs than the machine has; the
 * run picks between them after calibrating (bench/os/placement.ts, spreadDecision).
 */
async function offerEveryCpu(
  cells: PlannedCell[],
  options: RunOptions,
  placement: Placement,
  launch: TargetLaunch,
): Promise<void> {
  const cores = availableParallelism();
  if (options.serverCpus !== undefined || options.clientCpus !== undefined || placement.serverCpuCount >= cores) return;
  const wide = everyCpu(placement, cores);
  const names = [...new Set(cells.filter((c) => c.scenario.parallel && !c.load).map((c) => c.target.name))];
  if (names.length === 0) return;
  const known = new Set((await listModels()).map((m) => m.name));
  const ours = names.filter((n) => known.has(n));
  const { targets } = await resolveTargets(ours, { ...launch, cpus: wide.serverCpus }, wide.serverCpuCount, null);
  for (const cell of cells) {
    const target = targets.find((t) => t.name === cell.target.name);
    if (cell.scenario.parallel && !cell.load && target)
      cell.spread = { target, placement: wide, base: placement, cores };
  }
}

/** The model|scenario pairs `--measure instructions` counts: our servers' (the profile may name a subset). */
function countedPairs(cells: PlannedCell[], options: RunOptions): Set<string> {
  const ours = cells.filter((c) => c.target.node !== undefined);
  return new Set(
    ours
      .filter((c) => !options.counted || options.counted.models.includes(c.target.name))
      .filter((c) => !options.counted || options.counted.scenarios.includes(c.scenario.name))
      .map((c) => `${c.target.name}|${c.scenario.name}`),
  );
}

async function main(argv: string[]): Promise<number> {
  const options = parseOptions(argv);
  if (options.help) {
    process.stdout.write(`${fitHelp(usage, outputWidth(process.stdout))}\n`);
    return 0;
  }
  // --rtt: this process sets up the namespaces and runs the bench again inside the client one, where it finds its pair.
  const pair = options.rttMs === null ? null : pairFromEnv();
  if (options.rttMs !== null && pair === null) {
    if (options.target && 'url' in options.target)
      throw new UsageError(
        '--target-url cannot be used with --rtt: a server already running is outside the namespaces the run creates (use --target-cmd)',
      );
    const why = netnsUnavailable(options.rttMs);
    if (why) throw new UsageError(`--rtt ${options.rttMs}: network-distance mode skipped: ${why}`);
    return runAcrossVeth(fileURLToPath(import.meta.url), argv, options.rttMs, (line) =>
      process.stderr.write(`${line}\n`),
    );
  }
  const id = runId();
  const path = outPath(options, id);
  const runtime = resolveRuntime(options.node);
  const placement = place(options.serverCpus, options.clientCpus);
  const scenarios = options.scenarios.map(
    (name) => options.fileScenarios.find((s) => s.name === name) ?? (findScenario(name) as ScenarioDef),
  );
  for (const [flag, file] of [
    ['--csv', options.csv],
    ['--bmf', options.bmf],
  ] as const)
    if (file !== null) checkOutputFile(resolve(process.cwd(), file), `${flag} file`);
  const started = new StartedProcesses();
  const launch: TargetLaunch = {
    cpus: placement.serverCpus,
    readyTimeoutMs: benchDefaults.readyTimeoutMs,
    stopGraceMs: benchDefaults.stopGraceMs,
    onStart: (pid) => started.add(pid, true),
    onGone: (pid) => started.remove(pid),
    ...(runtime.own ? {} : { node: runtime }),
    ...(pair ? { host: pair.serverAddress, netns: pair.serverNs } : {}),
  };
  // The database server only when a scenario asks it; stopped in the finally below, or by the interrupt.
  const database = await databaseFor(scenarios, options.databaseUrl, options.databasePoolSize, options.cache);
  try {
    const { targets, skipped } = await resolveTargets(
      options.models,
      launch,
      placement.serverCpuCount,
      options.target,
      database?.serveArgs,
    );
    const notPlanned = outOfScope(targets, scenarios);
    const cells = options.matrix
      ? planMatrix(targets, options.matrix, options.loads)
      : planCells(targets, scenarios, options.connections, options.loads);
    await offerEveryCpu(cells, options, placement, launch);
    // The harness samples and talks to the load generator during trials: keep it off the server's CPUs.
    pinSelf(placement.clientCpus);
    const loadgen = await startLoadgen(options, placement, started);
    const cellLoadgens = await startCellLoadgens(cells, loadgen, placement, started);
    const depths = new Set(scenarios.map((s) => s.pipelining)).size + cellLoadgens.loadgens.length;
    const planned = plannedSeconds(cells.length, options, depths);
    const plan: RunPlan = {
      runId: id,
      outPath: path,
      config: {
        profile: options.profile,
        models: targets.map((t) => t.name),
        scenarios: options.scenarios,
        connections: options.connections,
        durationSec: options.durationSec,
        warmupSec: options.warmupSec,
        trials: options.trials,
        ...(options.rounds > 1 ? { rounds: options.rounds } : {}),
        loadgen: loadgen.name,
        serverCpus: placement.serverCpus,
        clientCpus: placement.clientCpus,
        ...(pair ? { network: networkConfig(pair) } : {}),
        extra: {
          placement: placement.note,
          ...(cellLoadgens.notes.length > 0 ? { cellLoadgens: cellLoadgens.notes } : {}),
          ...(options.overrides.length ? { overrides: options.overrides } : {}),
          serverNode: runtime.version,
          warmupConnections,
          measure: options.measure,
          ...(Object.keys(injectedFromEnvironment()).length ? { injected: injectedFromEnvironment() } : {}),
          serverThreads: placement.serverCpuCount,
          timeoutSec: benchDefaults.timeoutSec,
          clientBoundThresholds: benchDefaults.thresholds,
          calibration: benchDefaults.calibration,
          skippedModels: skipped,
          notPlanned,
          plannedSeconds: Math.round(planned),
          ...(options.loads ? { rate: options.loads.map(rateLabel) } : {}),
          ...(database ? { database: database.description } : {}),
        },
      },
      ...(database ? { database } : {}),
      cells,
      ...(options.measure === 'instructions'
        ? { counted: { pairs: countedPairs(cells, options), threads: placement.serverCpuCount } }
        : {}),
      rounds: options.rounds,
      scenarios,
      loadgen,
      canned: cannedTarget(launch),
      calibration: { ...benchDefaults.calibration, timeoutSec: benchDefaults.timeoutSec },
      settings: {
        durationSec: options.durationSec,
        warmupSec: options.warmupSec,
        trials: options.trials,
        timeoutSec: benchDefaults.timeoutSec,
        validationTimeoutMs: benchDefaults.validationTimeoutMs,
        sampleIntervalMs: benchDefaults.sampleIntervalMs,
        thresholds: benchDefaults.thresholds,
        clientCpus: placement.clientCpus,
      },
    };
    const results = emptyResults(plan);
    const oneRound = { ...options, rounds: 1 };
    const progress = new Progress(
      cells.length * options.rounds,
      plannedSeconds(1, oneRound, 0) - plannedSeconds(0, oneRound, 0),
    );
    // Progress goes to standard error: its lines fit that terminal.
    const width = outputWidth(process.stderr);
    const say = (line: string) => progress.log(wrapText(line, width));
    const rounds =
      options.rounds > 1
        ? `, ${options.rounds} rounds of ${options.trials} trial${options.trials > 1 ? 's' : ''} each`
        : '';
    say(
      `server-models bench: profile ${options.profile}, ${cells.length} cells (${
        options.matrix
          ? `${targets.length} models in ${scenarios.length} scenarios, each at the levels it needs`
          : `${targets.length} models × ${scenarios.length} scenarios × ${options.connections.length} connection levels`
      })${rounds}, ${loadgen.name}; ${placement.note}${runtime.own ? '' : `; servers on Node ${runtime.version}`}`,
    );
    for (const note of cellLoadgens.notes) say(`load generator for ${note}`);
    say(`planned wall time: about ${Math.round(planned)} s; results: ${path}`);
    if (pair) say(networkNote(networkConfig(pair)));
    for (const s of skipped) say(`skipped ${s.name}: ${s.reason}`);
    for (const n of notPlanned) say(`not planned: ${n.name} for ${n.scenarios.join(', ')} (${n.why})`);

    const abort = new AbortController();
    plan.signal = abort.signal;
    const interrupt = onInterrupt(abort, async () => {
      progress.stop();
      process.stderr.write('\ninterrupted: stopping every process this run started…\n');
      started.terminateAll();
      await waitFor(() => started.pids().every((pid) => !isAlive(pid)), 1500);
      started.killAll();
      await database?.stop();
    });

    try {
      await runPlan(plan, results, {
        onCalibration: (calibration) => {
          for (const c of calibration) say(calibrationLine(c));
        },
        onCellStart: (index, cell, round) =>
          progress.cellStarted(
            index,
            `${cell.target.name} ${cell.scenario.name} c=${cell.connections}${cell.load ? ` ${rateLabel(cell.load)}` : ''}${roundLabel(round, options.rounds)}`,
          ),
        onPhase: (phase) => progress.phase(phase),
        onCellDone: (_index, cell, round) =>
          progress.cellDone(cellLine(cell, width, roundLabel(round, options.rounds))),
      });
    } catch (error) {
      if (!abort.signal.aborted) throw error;
    } finally {
      progress.stop();
      interrupt.dispose();
      if (abort.signal.aborted) await interrupt.cleanedUp;
      await loadgen.close();
      for (const other of cellLoadgens.loadgens) await other.close();
    }
    if (abort.signal.aborted) {
      writeResults(path, results);
      process.stderr.write(`kept ${results.cells.length} finished cell(s) in ${path} (complete: false)\n`);
      return 130;
    }
    finish(results, path, options.json);
    writeExports(results, options);
    await renderReportOf(path, options.json);
    // A cell that failed is a failed run; one that was client-bound, errored under load or starved is what
    // a model did (a blocking model's waiting connections, a pool's 503s when full), flagged, not a failure.
    const bad = results.cells.filter((c) => c.status === 'failed' || !c.validation.ok);
    return bad.length > 0 ? 1 : 0;
  } finally {
    await database?.stop();
  }
}

/** ` (round 2/5)` in a run of several rounds, nothing in a run of one. */
function roundLabel(round: number, rounds: number): string {
  return rounds > 1 ? ` (round ${round}/${rounds})` : '';
}

function finish(results: Results, path: string, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ resultsPath: path, results })}\n`);
    return;
  }
  const width = outputWidth(process.stdout);
  const wrap = (line: string) => wrapText(line, width, 4);
  process.stdout.write(`\n${resultsTable(results, width)}\n`);
  const database = databaseLines(results).map((line) => wrapText(line, width, 4));
  if (database.length > 0) process.stdout.write(`\n${database.join('\n')}\n`);
  for (const cell of results.cells.filter((c) => c.flags.notes.length > 0 || c.error)) {
    const notes = [cell.error, ...cell.flags.notes].filter(Boolean).join('; ');
    process.stdout.write(`  ${wrap(`${cell.model} ${cell.scenario} c=${cell.connections}: ${notes}`)}\n`);
  }
  if (results.config.network) process.stdout.write(`  ${wrap(networkNote(results.config.network))}\n`);
  const ratios = peerRatioLines(results).map((line) => wrapText(line, width));
  if (ratios.length > 0) process.stdout.write(`\n${ratios.join('\n')}\n`);
  process.stdout.write(`\nresults: ${path}\n`);
}

/** `--csv` and `--bmf`: the cells in the formats other tools read, from this run alone. */
function writeExports(results: Results, options: RunOptions): void {
  const log = (line: string): void => void (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  if (options.csv !== null) {
    writeFileAtomic(options.csv, cellsCsv(results));
    log(`csv: ${options.csv}`);
  }
  if (options.bmf !== null) {
    writeFileAtomic(options.bmf, `${JSON.stringify(runBmf(results), null, 2)}\n`);
    log(`bmf: ${options.bmf}`);
  }
}

/** Charts and the report at the end of a run; loaded only then (vega is heavy), and a failure is said, not fatal. */
async function renderReportOf(path: string, json: boolean): Promise<void> {
  const log = (line: string): void => void (json ? process.stderr : process.stdout).write(`${line}\n`);
  try {
    const { renderReport } = await import('../reports/render.ts');
    const report = await renderReport(path);
    log(`report: ${report.html}`);
  } catch (error) {
    log(`report: could not render: ${(error as Error).message.split('\n')[0]}`);
  }
}

async function waitFor(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
}

/**
 * On SIGINT/SIGTERM: abort the run (no further cell starts) and stop every
 * process it started. A second signal, or a run that does not wind down, exits at once.
 */
function onInterrupt(
  abort: AbortController,
  cleanup: () => Promise<void>,
): { cleanedUp: Promise<void>; dispose(): void } {
  let markDone: () => void = () => {};
  const cleanedUp = new Promise<void>((resolve) => (markDone = resolve));
  const handler = () => {
    if (abort.signal.aborted) process.exit(130);
    abort.abort();
    setTimeout(() => process.exit(130), 10_000).unref();
    void cleanup().finally(markDone);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    cleanedUp,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof OutputPathError) {
      process.stderr.write(`bench: ${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

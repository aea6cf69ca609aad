/**
 * A run: calibrate the load generator, then every cell of the matrix in turn,
 * writing the results file (atomically, schema-checked) after each one so an
 * interrupted or crashed run keeps what it finished. With several rounds the
 * calibration and the whole matrix run again each round, and each cell's new
 * trials join the ones it has.
 */
import { calibrate, ceilingFor } from './calibration.ts';
import { mergeRounds, runCell } from './cell.ts';
import { countCell, notCountable } from './counted-cell.ts';
import type { CellLoad, CellPhase, CellSettings } from './cell.ts';
import { rateLabel, targetRate } from '../loadgen/open-loop-rate.ts';
import type { LoadSpec } from '../loadgen/open-loop-rate.ts';
import type { LoadGenerator } from '../loadgen/types.ts';
import { writeResults } from '../results/file.ts';
import { RESULTS_SCHEMA, RESULTS_VERSION } from '../results/schema.ts';
import type { Calibration, Cell, Config, Results } from '../results/schema.ts';
import { describeScenario, findScenario } from '../plan/scenarios.ts';
import type { MatrixEntry } from '../plan/profiles.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';
import type { Target } from '../targets/types.ts';
import type { CalibrationSettings } from './calibration.ts';
import { describeGit, describeMachine } from '../os/machine.ts';
import { spreadDecision } from '../os/placement.ts';
import type { CellPlacement, Placement } from '../os/placement.ts';
import type { RunDatabase } from './database.ts';

/** One planned cell. */
export interface PlannedCell {
  target: Target;
  scenario: ScenarioDef;
  connections: number;
  /** The load mode from `--rate`; absent = closed loop, not recorded on the cell. */
  load?: LoadSpec;
  /**
   * For a parallel scenario (cpu, mixed) on a machine where the server has fewer CPUs than it could:
   * the same server lent every CPU, used when the placement rule allows it (decided once, after the
   * first calibration, so every round of the cell runs the same way).
   */
  spread?: { target: Target; placement: Placement; base: Placement; cores: number };
  /** Where the cell's server runs, once decided. */
  placement?: CellPlacement;
  /** The load generator its matrix entry asks for (profiles.ts), by name: the run's own when absent. */
  loadgenName?: string;
  /** That load generator, once started (scripts/bench.ts); the run's own when absent. */
  loadgen?: LoadGenerator;
}

/** Everything a run needs, resolved from the options. */
export interface RunPlan {
  runId: string;
  outPath: string;
  config: Config;
  cells: PlannedCell[];
  /** Times the calibration and the whole matrix run, one after the other (absent = once). */
  rounds?: number;
  scenarios: ScenarioDef[];
  loadgen: LoadGenerator;
  /** The calibration server, or null to skip calibration (then nothing is judged against a ceiling). */
  canned: Target | null;
  calibration: CalibrationSettings;
  settings: CellSettings;
  /** Aborted on an interrupt: no further cell starts, and the interrupted one is not recorded. */
  signal?: AbortSignal;
  /**
   * `--measure instructions`: the model|scenario pairs to count under Valgrind (each once, on its
   * first cell: the lowest connection level), and the pool size the servers run with.
   */
  counted?: { pairs: ReadonlySet<string>; threads: number };
  /** The run's database server, when a scenario asks it (bench/run/database.ts). */
  database?: RunDatabase;
}

/** What a run reports as it goes. */
export interface RunHooks {
  onCalibration?: (calibration: Calibration[]) => void;
  /** `index` counts over every round (0 … cells × rounds − 1); `round` starts at 1. */
  onCellStart?: (index: number, cell: PlannedCell, round: number) => void;
  onPhase?: (phase: CellPhase) => void;
  /** The cell with every trial so far, this round's included. */
  onCellDone?: (index: number, cell: Cell, round: number) => void;
}

/**
 * Planned cells in the order they run: scenario by scenario, so a scenario's
 * models finish together (a target with a scope, only in the scenarios it
 * serves); with `--rate`, every model's closed-loop cell before the open-loop
 * ones that may take a share of its throughput.
 */
export function planCells(
  targets: Target[],
  scenarios: ScenarioDef[],
  connections: number[],
  loads: LoadSpec[] | null = null,
): PlannedCell[] {
  return scenarios.flatMap((scenario) =>
    connections.flatMap((c) =>
      (loads ?? [undefined]).flatMap((load) =>
        targets
          .filter((target) => target.scope?.serves(scenario) ?? true)
          .map((target) => ({ target, scenario, connections: c, ...(load ? { load } : {}) })),
      ),
    ),
  );
}

/**
 * Planned cells of a designed matrix (profiles.ts), entry by entry: each scenario at its own levels,
 * with its own models (every target when the entry names none).
 */
export function planMatrix(targets: Target[], matrix: MatrixEntry[], loads: LoadSpec[] | null = null): PlannedCell[] {
  return matrix.flatMap((entry) => {
    const scenario = findScenario(entry.scenario);
    if (!scenario) return [];
    const chosen = entry.models ? targets.filter((t) => entry.models!.includes(t.name)) : targets;
    const cells = planCells(chosen, [scenario], entry.connections, loads);
    return entry.loadgen ? cells.map((cell) => ({ ...cell, loadgenName: entry.loadgen })) : cells;
  });
}

/** A planned cell's load mode, its open-loop target worked out from the cells measured so far. */
function cellLoad(planned: PlannedCell, cells: readonly Cell[]): CellLoad | undefined {
  const spec = planned.load;
  if (spec === undefined || spec.mode === 'closed') return spec;
  const requested = rateLabel(spec);
  try {
    return {
      mode: 'open',
      requested,
      targetRps: targetRate(spec, cells, {
        model: planned.target.name,
        scenario: planned.scenario.name,
        connections: planned.connections,
      }),
    };
  } catch (error) {
    return { mode: 'open', requested, error: (error as Error).message };
  }
}

/**
 * Apply the placement rule to every cell that has a spread alternative (a parallel scenario), from
 * the load generator's unpipelined calibration: the cell then runs its spread target and records why.
 */
function decidePlacements(cells: PlannedCell[], calibration: Calibration[], loadgen: LoadGenerator): void {
  for (const cell of cells) {
    const { spread } = cell;
    const perRequest = cell.scenario.parallel?.serverCpuMsPerRequest;
    if (!spread || perRequest === undefined) continue;
    const name = (cell.loadgen ?? loadgen).name;
    const ceiling = calibration.find((c) => c.loadgen === name && (c.pipelining ?? 1) === 1);
    const decision = spreadDecision(perRequest, ceiling, spread.base, spread.cores);
    const chosen = decision.spread ? spread.placement : spread.base;
    if (decision.spread) cell.target = spread.target;
    cell.placement = {
      serverCpus: chosen.serverCpus,
      clientCpus: chosen.clientCpus,
      serverThreads: chosen.serverCpuCount,
      rule: decision.spread ? 'every-cpu' : 'default',
      note: decision.note,
    };
  }
}

/**
 * `--measure instructions`: count the cell's model and scenario under Valgrind, if it is still to be
 * counted and its timed cell answered correctly; the figure goes in its summary, a failure in its notes.
 */
async function countFirst(
  plan: RunPlan,
  planned: PlannedCell,
  cell: Cell,
  counting: Set<string>,
  hooks: RunHooks,
): Promise<void> {
  const pair = `${planned.target.name}|${planned.scenario.name}`;
  if (!plan.counted || !counting.has(pair) || planned.load) return;
  counting.delete(pair);
  const why = notCountable(planned.scenario);
  if (why) {
    cell.flags.notes.push(`not counted: ${why}`);
    return;
  }
  if (cell.status !== 'ok' || !cell.summary) return;
  hooks.onPhase?.('counting instructions');
  try {
    const { instructionsPerRequest, counted } = await countCell(
      planned.target.name,
      planned.scenario,
      plan.counted.threads,
      undefined,
      planned.target.nodePath && planned.target.node
        ? { path: planned.target.nodePath, version: planned.target.node }
        : undefined,
    );
    cell.summary.instructionsPerRequest = instructionsPerRequest;
    cell.counted = counted;
  } catch (error) {
    cell.flags.notes.push(`instructions not counted: ${(error as Error).message.split('\n')[0]}`);
  }
}

/** Each load generator the cells use, with the pipelining depths its cells need calibrated. */
function calibrations(plan: RunPlan): Map<LoadGenerator, number[]> {
  const depths = new Map<LoadGenerator, number[]>([[plan.loadgen, plan.scenarios.map((s) => s.pipelining)]]);
  for (const cell of plan.cells)
    if (cell.loadgen && cell.loadgen !== plan.loadgen)
      depths.set(cell.loadgen, [...(depths.get(cell.loadgen) ?? []), cell.scenario.pipelining]);
  return depths;
}

/** A results object with no cells yet. */
export function emptyResults(plan: Pick<RunPlan, 'runId' | 'config' | 'scenarios'>): Results {
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    runId: plan.runId,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    complete: false,
    machine: describeMachine(),
    git: describeGit(),
    config: plan.config,
    calibration: [],
    scenarios: plan.scenarios.map(describeScenario),
    cells: [],
  };
}

/**
 * Run the plan into `results` (which the caller holds, so an interrupt can
 * still see the finished cells). The file is rewritten after every cell.
 */
export async function runPlan(plan: RunPlan, results: Results, hooks: RunHooks = {}): Promise<Results> {
  const rounds = plan.rounds ?? 1;
  const several = rounds > 1;
  const counting = new Set(plan.counted?.pairs ?? []);
  for (let round = 1; round <= rounds; round++) {
    if (plan.canned && !plan.signal?.aborted) {
      for (const [loadgen, depths] of calibrations(plan)) {
        const calibration = await calibrate(plan.canned, loadgen, depths, plan.calibration);
        const tagged = several ? calibration.map((c) => ({ ...c, round })) : calibration;
        results.calibration.push(...tagged);
        hooks.onCalibration?.(tagged);
      }
    }
    writeResults(plan.outPath, results);
    if (round === 1) decidePlacements(plan.cells, results.calibration, plan.loadgen);
    for (const [index, planned] of plan.cells.entries()) {
      if (plan.signal?.aborted) return results;
      const overall = (round - 1) * plan.cells.length + index;
      hooks.onCellStart?.(overall, planned, round);
      const loadgen = planned.loadgen ?? plan.loadgen;
      // Judged against this round's ceiling: the load generator's speed then.
      const ceilingRps = ceilingFor(
        planned.scenario,
        results.calibration.filter((c) => c.round === (several ? round : undefined)),
        loadgen.name,
      );
      const measured = await runCell({
        target: planned.target,
        scenario: planned.scenario,
        connections: planned.connections,
        loadgen,
        // wrk runs whole seconds: a cell given it by its matrix entry warms up with the run's own.
        ...(loadgen === plan.loadgen ? {} : { warmupLoadgen: plan.loadgen }),
        settings: plan.settings,
        ceilingRps,
        load: cellLoad(planned, results.cells),
        database: plan.database,
        ...(hooks.onPhase ? { onPhase: hooks.onPhase } : {}),
      });
      // A cell cut short by the interrupt measured the shutdown, not the server.
      if (plan.signal?.aborted) return results;
      if (round === 1) await countFirst(plan, planned, measured, counting, hooks);
      if (plan.signal?.aborted) return results;
      const placed = planned.placement ? { ...measured, placement: planned.placement } : measured;
      const cell = several ? { ...placed, trials: placed.trials.map((t) => ({ round, ...t })) } : placed;
      if (round === 1) results.cells.push(cell);
      else {
        const before = results.cells[index] as Cell;
        const merged = mergeRounds(
          before,
          cell,
          round,
          ceilingFor(planned.scenario, results.calibration, loadgen.name),
          plan.settings.thresholds,
        );
        // The count was taken once, in round 1: the timed summary is worked out again, the count kept.
        const count = before.summary?.instructionsPerRequest;
        if (count && merged.summary) merged.summary = { ...merged.summary, instructionsPerRequest: count };
        results.cells[index] = merged;
      }
      writeResults(plan.outPath, results);
      hooks.onCellDone?.(overall, results.cells[index] as Cell, round);
    }
  }
  results.complete = true;
  results.finishedAt = new Date().toISOString();
  writeResults(plan.outPath, results);
  return results;
}

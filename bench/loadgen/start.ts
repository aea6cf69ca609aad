/**
 * Starting a run's load generators: its own (`--loadgen`, or the default) and
 * any other its matrix asks for some cells (profiles.ts, MatrixEntry.loadgen).
 */
import type { Placement } from '../os/placement.ts';
import type { StartedProcesses } from '../os/processes.ts';
import { UsageError } from '../plan/options.ts';
import type { RunOptions } from '../plan/options.ts';
import type { PlannedCell } from '../run/run.ts';
import { loadGenerators } from './registry.ts';
import type { LoadGeneratorKind } from './registry.ts';
import type { LoadGenerator } from './types.ts';

/** The run's own load generator; a usage error when it cannot run here. */
export async function startLoadgen(
  options: RunOptions,
  placement: Placement,
  started: StartedProcesses,
): Promise<LoadGenerator> {
  const kind = loadGenerators[options.loadgen] as LoadGeneratorKind;
  const why = kind.unavailable();
  if (why) throw new UsageError(`--loadgen ${options.loadgen}: ${why}`);
  return kind.start({ cpus: placement.clientCpus, onProcess: (pid) => started.add(pid, false) });
}

/**
 * Start the load generators the matrix asks for beside the run's own (profiles.ts, MatrixEntry.loadgen)
 * and give each cell its own; a cell whose generator cannot run here keeps the run's, and `say` is told.
 */
export async function startCellLoadgens(
  cells: PlannedCell[],
  own: LoadGenerator,
  placement: Placement,
  started: StartedProcesses,
): Promise<{ loadgens: LoadGenerator[]; notes: string[] }> {
  const loadgens: LoadGenerator[] = [];
  const notes: string[] = [];
  for (const name of new Set(
    cells.flatMap((c) => (c.loadgenName && c.loadgenName !== own.name ? [c.loadgenName] : [])),
  )) {
    const mine = cells.filter((c) => c.loadgenName === name);
    const which = [...new Set(mine.map((c) => `${c.scenario.name}@${c.connections}`))].join(', ');
    const kind = loadGenerators[name] as LoadGeneratorKind | undefined;
    const why = kind ? kind.unavailable() : `no load generator "${name}"`;
    if (why || !kind) {
      notes.push(`${which}: ${own.name}, not ${name} as the profile asks (${why}); the generator may be their limit`);
      continue;
    }
    const loadgen = await kind.start({ cpus: placement.clientCpus, onProcess: (pid) => started.add(pid, false) });
    loadgens.push(loadgen);
    for (const cell of mine) cell.loadgen = loadgen;
    notes.push(`${which}: ${name}, which ${own.name} would limit`);
  }
  return { loadgens, notes };
}

/**
 * Which servers a run loads: the models and peers of the servers' registry
 * (servers/registry.ts), as targets started through the serve command. A model
 * the registry marks unavailable here is skipped with its reason; a name it
 * does not know is a usage error.
 */
import { UsageError } from './options.ts';
import { modelTarget } from './targets/model.ts';
import type { Target, TargetLaunch } from './targets/types.ts';

/** A registry entry as the harness needs it. */
export interface ModelEntry {
  name: string;
  kind: 'model' | 'peer';
  unavailable?: string | undefined;
}

/**
 * Every model and peer the servers' registry lists (models first, as it orders
 * them). Loaded on demand: the registry brings every core with it, which
 * `--help` and a bad flag do not need.
 */
export async function listModels(): Promise<ModelEntry[]> {
  const { registry } = await import('../servers/registry.ts');
  return registry.map(({ name, kind, unavailable }) => ({ name, kind, unavailable }));
}

/**
 * Targets for the names asked for ('all' = every available entry). Models with
 * a pool get `--threads` = the CPUs the server may use.
 */
export async function resolveTargets(asked: 'all' | string[], launch: TargetLaunch, serverThreads: number): Promise<{ targets: Target[]; skipped: { name: string; reason: string }[] }> {
  const known = await listModels();
  const names = asked === 'all' ? known.map((m) => m.name) : asked;
  const targets: Target[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of names) {
    const entry = known.find((m) => m.name === name);
    if (!entry) throw new UsageError(`unknown model "${name}" (models: ${known.map((m) => m.name).join(', ')})`);
    if (entry.unavailable) skipped.push({ name, reason: entry.unavailable });
    else targets.push(modelTarget(name, entry.kind, launch, ['--threads', String(serverThreads)]));
  }
  return { targets, skipped };
}

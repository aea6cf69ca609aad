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

const registryPath = new URL('../servers/registry.ts', import.meta.url).href;

/** Every model and peer the servers' registry lists, models first. */
export async function listModels(): Promise<ModelEntry[]> {
  let module: Record<string, unknown>;
  try {
    module = (await import(registryPath)) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`cannot load the servers' registry (servers/registry.ts): ${(error as Error).message.split('\n')[0]}`);
  }
  const entries = entriesOf(module);
  if (entries.length === 0) throw new Error('servers/registry.ts lists no models');
  return [...entries.filter((e) => e.kind === 'model'), ...entries.filter((e) => e.kind === 'peer')];
}

/** Read the registry's entries whatever collection it keeps them in (array, Map or record). */
function entriesOf(module: Record<string, unknown>): ModelEntry[] {
  for (const value of Object.values(module)) {
    const raw = typeof value === 'function' && value.length === 0 ? safeCall(value) : value;
    const items = raw instanceof Map ? [...raw.values()] : Array.isArray(raw) ? raw : raw && typeof raw === 'object' ? Object.values(raw) : [];
    const entries = items.flatMap(toEntry);
    if (entries.length > 0 && entries.length === items.length) return entries;
  }
  return [];
}

function safeCall(fn: unknown): unknown {
  try {
    return (fn as () => unknown)();
  } catch {
    return undefined;
  }
}

function toEntry(item: unknown): ModelEntry[] {
  if (!item || typeof item !== 'object') return [];
  const e = item as { name?: unknown; kind?: unknown; unavailable?: unknown; core?: { name?: unknown; unavailable?: unknown }; start?: unknown };
  const name = typeof e.name === 'string' ? e.name : typeof e.core?.name === 'string' ? e.core.name : undefined;
  if (!name || (typeof e.start !== 'function' && !e.core)) return [];
  const kind = e.kind === 'peer' ? 'peer' : 'model';
  const unavailable = typeof e.unavailable === 'string' ? e.unavailable : typeof e.core?.unavailable === 'string' ? e.core.unavailable : undefined;
  return [{ name, kind, unavailable }];
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

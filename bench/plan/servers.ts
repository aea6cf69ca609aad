/**
 * Which servers a run loads: the models and peers of the servers' registry
 * (servers/registry.ts), as targets started through the serve command; nginx
 * when it is installed; and a server of the user's (--target-cmd, --target-url).
 * A model unavailable here is skipped with its reason; a name nobody knows is a
 * usage error, and so is a user's server that does not answer at all.
 */
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../os/paths.ts';
import type { Runtime } from '../os/runtime.ts';
import { UsageError } from './options.ts';
import type { ScenarioDef } from './scenarios.ts';
import type { TargetFlags } from './options.ts';
import { commandTarget } from '../targets/command.ts';
import { modelTarget } from '../targets/model.ts';
import { nginxName, nginxTarget, nginxUnavailable } from '../targets/nginx.ts';
import { stopProblem } from '../targets/types.ts';
import type { Target, TargetLaunch } from '../targets/types.ts';
import { urlTarget } from '../targets/url.ts';

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
export async function listModels(runtime?: Runtime): Promise<ModelEntry[]> {
  if (runtime && !runtime.own) return listModelsOn(runtime);
  const { registry } = await import('../../servers/registry.ts');
  return registry.map(({ name, kind, unavailable }) => ({ name, kind, unavailable }));
}

/**
 * The registry as another runtime sees it: which models it can run is that runtime's answer (the
 * reuseport model needs Node ≥ 22.12), so the servers' registry is read in a process of its own.
 */
function listModelsOn(runtime: Runtime): ModelEntry[] {
  const script =
    "const { registry } = await import('./servers/registry.ts');" +
    'process.stdout.write(JSON.stringify(registry.map(({ name, kind, unavailable }) => ({ name, kind, unavailable }))));';
  const probe = spawnSync(runtime.path, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (probe.status !== 0)
    throw new UsageError(
      `--node ${runtime.path}: could not list the servers on it: ${probe.stderr.trim().split('\n')[0]}`,
    );
  return JSON.parse(probe.stdout) as ModelEntry[];
}

/**
 * Targets for the names asked for ('all' = every available entry, nginx
 * included), then the user's server if any. Models with a pool get `--threads`,
 * and nginx as many workers, as the CPUs the server may use; every model and peer of ours
 * gets `serveArgs` (the run's database).
 */
export async function resolveTargets(
  asked: 'all' | string[],
  launch: TargetLaunch,
  serverThreads: number,
  user: TargetFlags | null = null,
  serveArgs: readonly string[] = [],
): Promise<{ targets: Target[]; skipped: { name: string; reason: string }[] }> {
  const known = await listModels(launch.node);
  const names = asked === 'all' ? [...known.map((m) => m.name), nginxName] : asked;
  const targets: Target[] = [];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of names) {
    if (name === nginxName) {
      const why = nginxUnavailable();
      if (why) skipped.push({ name, reason: why });
      else targets.push(nginxTarget(launch, serverThreads));
      continue;
    }
    const entry = known.find((m) => m.name === name);
    if (!entry)
      throw new UsageError(`unknown model "${name}" (models: ${[...known.map((m) => m.name), nginxName].join(', ')})`);
    if (entry.unavailable) skipped.push({ name, reason: entry.unavailable });
    else
      targets.push(
        modelTarget(name, entry.kind, launch, ['--threads', String(poolSize(name, serverThreads)), ...serveArgs]),
      );
  }
  if (user) {
    if (user.name === nginxName || known.some((m) => m.name === user.name))
      throw new UsageError(`--target-name "${user.name}" is the name of one of the suite's servers: choose another`);
    targets.push(await preflight(userTarget(user, launch), 'command' in user ? '--target-cmd' : '--target-url'));
  }
  return { targets, skipped };
}

/**
 * The pool a model is given for `cpus` server CPUs: one process or thread per CPU. Four worker
 * threads per CPU were tried, for the kernel to preempt a long handler for a short one: on two CPUs
 * shared with the load generator, mixed's cheap p99 on the pool went from 10.8 to 11.9 ms (the
 * loop's: 8.9 ms) and hello at 64 connections from 6.2k to 5.4k requests/s, the extra threads
 * taking CPU from the event-loop thread that does every request's I/O.
 */
export function poolSize(_model: string, cpus: number): number {
  return cpus;
}

function userTarget(user: TargetFlags, launch: TargetLaunch): Target {
  return 'command' in user
    ? commandTarget({ name: user.name, command: user.command, readyTimeoutMs: user.readyTimeoutMs }, launch)
    : urlTarget(user.name, user.url);
}

/**
 * Start a user's server once before the run: one that never answers is a
 * mistake on the command line (exit 2 with one line), not a column of failed cells.
 */
async function preflight(target: Target, flag: string): Promise<Target> {
  let running;
  try {
    running = await target.start();
  } catch (error) {
    throw new UsageError(`${flag}: ${(error as Error).message.split('\n')[0]}`);
  }
  const problem = stopProblem(await running.stop());
  if (problem) throw new UsageError(`${flag}: on stop it ${problem}`);
  return target;
}

/** The targets that serve only some of the run's scenarios, with the ones they are not planned for and why. */
export function outOfScope(
  targets: readonly Target[],
  scenarios: readonly ScenarioDef[],
): { name: string; scenarios: string[]; why: string }[] {
  return targets.flatMap((t) => {
    const left = t.scope ? scenarios.filter((s) => !t.scope?.serves(s)).map((s) => s.name) : [];
    return t.scope && left.length > 0 ? [{ name: t.name, scenarios: left, why: t.scope.why }] : [];
  });
}

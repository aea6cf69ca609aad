/**
 * Our models (and the node-http peer) as targets: each cell starts one through
 * the serve command, directly with node (npm would add a process and its own
 * signal handling between the harness and the server).
 */
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../os/paths.ts';
import { startSpawned } from './spawned.ts';
import type { RunningTarget, Target, TargetLaunch } from './types.ts';

const servePath = fileURLToPath(new URL('../../servers/serve.ts', import.meta.url));

/** A model from the servers' registry, served by `servers/serve.ts`. */
export function modelTarget(
  name: string,
  kind: 'model' | 'peer',
  launch: TargetLaunch,
  extraArgs: string[] = [],
): Target {
  const { node, ...spawnLaunch } = launch;
  return {
    name,
    kind,
    node: node?.version ?? process.version,
    start: (): Promise<RunningTarget> =>
      startSpawned({
        command: node?.path ?? process.execPath,
        args: [
          '--import',
          'tsx',
          servePath,
          '--model',
          name,
          '--host',
          launch.host ?? '127.0.0.1',
          '--port',
          '0',
          ...extraArgs,
        ],
        cwd: repoRoot,
        ...spawnLaunch,
      }),
  };
}

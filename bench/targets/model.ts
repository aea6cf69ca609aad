/**
 * Our models (and the node-http peer) as targets: each cell starts one through
 * the serve command, directly with node (npm would add a process and its own
 * signal handling between the harness and the server), bundled to one plain
 * JavaScript file once per run: a start through tsx took 0.96-1.09 s to
 * "listening" on a loaded 2-core machine against 0.30-0.31 s for the bundle,
 * and the quick profile starts a server 120 times.
 *
 * The server's environment is the harness's without NODE_EXTRA_CA_CERTS: with it
 * every Node start reads and parses a certificate bundle (~90 ms of a 140 ms start
 * here), and a server makes no TLS connection unless it was given a database or
 * cache of the user's by URL, which may need those certificates and keeps them.
 */
import { bundleServe } from '../counted/bundle-serve.ts';
import { repoRoot } from '../os/paths.ts';
import { startSpawned } from './spawned.ts';
import type { RunningTarget, Target, TargetLaunch } from './types.ts';

/** The bundled serve command, built on the first start of a run (esbuild reuses an unchanged build). */
let bundled: Promise<string> | undefined;
const serveFile = (): Promise<string> => {
  bundled ??= bundleServe();
  return bundled;
};

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
    ...(node ? { nodePath: node.path } : {}),
    start: async (): Promise<RunningTarget> =>
      startSpawned({
        command: node?.path ?? process.execPath,
        args: [await serveFile(), '--model', name, '--host', launch.host ?? '127.0.0.1', '--port', '0', ...extraArgs],
        cwd: repoRoot,
        env: serverEnvironment(extraArgs),
        ...spawnLaunch,
      }),
  };
}

/** The harness's environment for a server started with `args` (see the header). */
function serverEnvironment(args: readonly string[]): NodeJS.ProcessEnv {
  if (args.includes('--db-url') || args.includes('--cache-url')) return process.env;
  const { NODE_EXTRA_CA_CERTS: _unused, ...env } = process.env;
  return env;
}

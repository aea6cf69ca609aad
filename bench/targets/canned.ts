/** The calibration target: the canned-response server, started and pinned like the servers under test. */
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../os/paths.ts';
import { startSpawned } from './spawned.ts';
import type { RunningTarget, Target, TargetLaunch } from './types.ts';

const serverPath = fileURLToPath(new URL('./canned-server.ts', import.meta.url));

/** A target serving canned bytes: what the load generator can do when the server costs nothing. */
export function cannedTarget(launch: TargetLaunch): Target {
  return {
    name: 'canned',
    kind: 'peer',
    start: (): Promise<RunningTarget> =>
      startSpawned({
        command: process.execPath,
        args: ['--import', 'tsx', serverPath, launch.host ?? '127.0.0.1'],
        cwd: repoRoot,
        ...launch,
      }),
  };
}

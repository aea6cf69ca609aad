/**
 * `--target-cmd`: any server, started by the harness from a shell command. The
 * harness picks a free port and passes it in PORT (and the address in HOST);
 * the server is ready when that port accepts. It runs in its own process group
 * like our models, pinned to the server CPUs, its process tree sampled for CPU
 * and memory, and stopped by group with the same check for leftovers.
 */
import { freePort, loopback } from './port.ts';
import { startSpawned } from './spawned.ts';
import type { RunningTarget, StopReport, Target, TargetLaunch } from './types.ts';

/** A server of the user's, as the command line describes it. */
export interface CommandSpec {
  name: string;
  /** Run with `sh -c`. */
  command: string;
  /** How long it may take to accept connections. */
  readyTimeoutMs: number;
}

/** The user's command as a peer target. */
export function commandTarget(spec: CommandSpec, launch: TargetLaunch): Target {
  return {
    name: spec.name,
    kind: 'peer',
    foreign: true,
    start: async (): Promise<RunningTarget> => {
      const host = launch.host ?? loopback;
      const port = await freePort();
      const running = await startSpawned({
        command: 'sh',
        args: ['-c', spec.command],
        cwd: process.cwd(),
        env: { ...process.env, PORT: String(port), HOST: host },
        ...launch,
        readyTimeoutMs: spec.readyTimeoutMs,
        readyAt: { host, port },
      });
      return { ...running, stop: async () => endedOnRequest(await running.stop()) };
    },
  };
}

/**
 * Our models must drain on SIGTERM; a server of the user's need not: ending on
 * the SIGTERM the harness sent (killed by it, or a shell's 128 + 15) is a clean
 * stop for it. A forced kill, any other exit code and leftovers still count.
 */
export function endedOnRequest(report: StopReport): StopReport {
  if (report.forced) return report;
  if (report.signal === 'SIGTERM' || report.exitCode === 143) return { ...report, exitCode: 0, signal: null };
  return report;
}

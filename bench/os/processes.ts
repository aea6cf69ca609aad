/**
 * The processes a run starts: how they are pinned to CPUs, and a list of them
 * so that an interrupt can stop every one by PID (or process group), and nothing
 * the run did not start.
 */
import { spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dyingWithUs } from '../../servers/backing-process.ts';

/**
 * The command line that runs `command` on `cpus` (taskset; unchanged when unpinned), as a process that
 * dies with the harness: util-linux's `setpriv --pdeathsig KILL` asks the kernel to kill it when the
 * harness dies, even by SIGKILL, which leaves the harness no chance to stop it. setpriv, taskset and
 * `ip netns exec` all exec in place, so the PID, an IPC channel and the parent-death signal carry
 * through to the process itself. Where setpriv is missing, the process is started without it.
 */
export function pinned(cpus: string | null, command: string, args: readonly string[]): [string, string[]] {
  return cpus === null ? dyingWithUs(command, args) : dyingWithUs('taskset', ['-c', cpus, command, ...args]);
}

/** Pin this process (the harness) to `cpus`, so its own sampling stays off the server's CPUs. */
export function pinSelf(cpus: string | null): void {
  if (cpus !== null) spawnSync('taskset', ['-cp', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** True while a process (or, for a negative id, any process of a group) exists. */
export function isAlive(pidOrNegGroup: number): boolean {
  try {
    process.kill(pidOrNegGroup, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Send a signal, ignoring a process that is already gone. */
export function signal(pidOrNegGroup: number, name: NodeJS.Signals): void {
  try {
    process.kill(pidOrNegGroup, name);
  } catch {
    // already gone
  }
}

/** Every process a run has started and not yet seen stopped. */
export class StartedProcesses {
  private readonly live = new Map<number, { group: boolean }>();

  /** Remember a process; `group` when it leads its own process group (detached). */
  add(pid: number, group: boolean): void {
    this.live.set(pid, { group });
  }

  remove(pid: number): void {
    this.live.delete(pid);
  }

  /** SIGKILL everything still listed: the last resort of an interrupt. */
  killAll(): void {
    for (const [pid, { group }] of this.live) {
      if (group) signal(-pid, 'SIGKILL');
      signal(pid, 'SIGKILL');
    }
    this.live.clear();
  }

  /** SIGTERM everything still listed (process groups included), to let servers drain. */
  terminateAll(): void {
    for (const [pid, { group }] of this.live) signal(group ? -pid : pid, 'SIGTERM');
  }

  pids(): number[] {
    return [...this.live.keys()];
  }
}

/**
 * Resolve once a forked `child` sends `{ type: 'ready' }`; reject with `exited(code)` if it exits
 * first, or with `timeout.message` after `timeout.ms`.
 */
export function untilReady(
  child: ChildProcess,
  exited: (code: number | null) => string,
  timeout?: { ms: number; message: string },
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = timeout ? setTimeout(() => done(new Error(timeout.message)), timeout.ms) : undefined;
    const onMessage = (m: { type?: unknown }) => {
      if (m?.type === 'ready') done(null);
    };
    const onExit = (code: number | null) => done(new Error(exited(code)));
    const done = (error: Error | null) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

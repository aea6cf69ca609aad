/**
 * What the private backing servers (the embedded PostgreSQL, the private Redis)
 * share: a free port to start on, a parent-death signal so that the kernel kills
 * them when their parent dies, even by SIGKILL, and a stop that escalates.
 */
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

let setprivWorks: boolean | undefined;

/** `command` under setpriv's parent-death signal, where setpriv works (util-linux); asked once. */
export function dyingWithUs(command: string, args: readonly string[]): [string, string[]] {
  setprivWorks ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  return setprivWorks ? ['setpriv', ['--pdeathsig', 'KILL', command, ...args]] : [command, [...args]];
}

/** A port of 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Send `signal` (the server's own clean stop) and wait for the exit; SIGKILL after `timeoutMs`. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

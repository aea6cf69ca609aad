/**
 * A server started as a command in its own process group, ready when its first
 * line on standard output is `listening on http://HOST:PORT` (never a sleep),
 * stopped with SIGTERM to the whole group, SIGKILL after a grace period, and
 * checked for anything left behind.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { inNamespace } from '../os/netns.ts';
import { pinned, signal } from '../os/processes.ts';
import { liveProcesses, processTree } from '../os/procfs.ts';
import { portAccepts } from './port.ts';
import type { RunningTarget, StopReport } from './types.ts';

/** How to start one server process. */
export interface SpawnSpec {
  command: string;
  args: string[];
  cwd: string;
  /** CPU list for taskset, or null for unpinned. */
  cpus: string | null;
  env?: NodeJS.ProcessEnv;
  /** Network namespace to run it in (`ip netns exec`), or undefined for the harness's own. */
  netns?: string | undefined;
  readyTimeoutMs: number;
  /** SIGTERM -> SIGKILL grace period. */
  stopGraceMs: number;
  /** Told of the process group leader's PID when it starts and when it is gone (for interrupts). */
  onStart?: (pid: number) => void;
  onGone?: (pid: number) => void;
  /** How long a stopped server's children get to exit after it before they count as left behind. */
  leftoverWaitMs?: number;
  /**
   * For a server that prints no ready line (nginx, a user's command): ready when
   * this address accepts a connection, polled, never a fixed sleep.
   */
  readyAt?: { host: string; port: number };
}

const readyLine = /^listening on (http:\/\/\S+)$/;

/** Start the command and resolve once it prints its ready line (or, given `readyAt`, once that address accepts). */
export function startSpawned(spec: SpawnSpec): Promise<RunningTarget> {
  const [pinnedCommand, pinnedArgs] = pinned(spec.cpus, spec.command, spec.args);
  // ip netns exec and taskset both exec in place: the PID is the server's own.
  const [command, args] =
    spec.netns === undefined ? [pinnedCommand, pinnedArgs] : inNamespace(spec.netns, pinnedCommand, pinnedArgs);
  const child = spawn(command, args, {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) return Promise.reject(new Error(`could not start ${spec.command}`));
  spec.onStart?.(pid);
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, sig) => {
      spec.onGone?.(pid);
      resolve({ code, signal: sig });
    }),
  );
  let stderrTail = '';
  child.stderr.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-2000)));
  const lines = createInterface({ input: child.stdout });

  const stop = async (): Promise<StopReport> => {
    lines.close();
    // The group, not just the leader: a model's children (processes, a pool) go with it.
    signal(-pid, 'SIGTERM');
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      signal(-pid, 'SIGKILL');
    }, spec.stopGraceMs);
    const { code, signal: sig } = await exited;
    clearTimeout(timer);
    // Helpers that die with their parent (tsx's esbuild service) take a moment to notice.
    const alive = () => liveProcesses(processTree(pid)).map((s) => s.pid);
    await waitUntil(() => alive().length === 0, spec.leftoverWaitMs ?? 2000);
    const leftovers = alive();
    if (leftovers.length > 0) {
      signal(-pid, 'SIGKILL');
      for (const p of leftovers) signal(p, 'SIGKILL');
    }
    return { exitCode: code, signal: forced ? 'SIGKILL' : sig, forced, leftovers };
  };

  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      const tail = stderrTail.trim().split('\n').at(-1);
      void stop().then(() => reject(new Error(`${why}${tail ? `: ${tail}` : ''}`)));
    };
    if (spec.readyAt !== undefined) {
      const { host, port } = spec.readyAt;
      const timer = setTimeout(
        () => fail(`did not accept connections on ${host}:${port} within ${spec.readyTimeoutMs} ms`),
        spec.readyTimeoutMs,
      );
      void exited.then(({ code, signal: sig }) => {
        clearTimeout(timer);
        fail(`exited (${sig ?? `code ${code}`}) before it accepted connections on ${host}:${port}`);
      });
      void pollPort(host, port, () => settled).then((accepted) => {
        if (!accepted || settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ url: `http://${host}:${port}`, pid, stop });
      });
      return;
    }
    const timer = setTimeout(() => fail(`no ready line within ${spec.readyTimeoutMs} ms`), spec.readyTimeoutMs);
    lines.once('line', (line) => {
      clearTimeout(timer);
      const match = readyLine.exec(line.trim());
      if (!match?.[1])
        return fail(`first line was not "listening on http://HOST:PORT" but ${JSON.stringify(line.slice(0, 120))}`);
      settled = true;
      // Keep draining stdout so a chatty server never blocks on a full pipe.
      child.stdout.resume();
      resolve({ url: match[1], pid, stop });
    });
    void exited.then(({ code, signal: sig }) => {
      clearTimeout(timer);
      fail(`exited (${sig ?? `code ${code}`}) before it was ready`);
    });
  });
}

/** Poll until host:port accepts (true) or `givenUp()` (false). */
async function pollPort(host: string, port: number, givenUp: () => boolean): Promise<boolean> {
  while (!givenUp()) {
    if (await portAccepts(port, host)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
}

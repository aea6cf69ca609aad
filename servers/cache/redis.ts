/**
 * A private Redis for `cached-queries`: Debian's `redis-server`, on a free port
 * of 127.0.0.1, in a scratch folder of its own, with no persistence (no RDB
 * snapshot, no append-only file: the cache is refilled from the database at
 * every start), removed with its folder by `stop()`.
 *
 * Like the embedded PostgreSQL it runs under `setpriv --pdeathsig KILL`, so the
 * kernel kills it when its parent dies, even by SIGKILL; a folder left by such a
 * parent is swept by the next start (scratch-dir.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { delimiter, join } from 'node:path';
import { dyingWithUs, freePort, stopChild } from '../backing-process.ts';
import { makeScratchDir } from '../scratch-dir.ts';

/** A Redis the suite started. */
export interface CacheServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  /** The redis-server's PID (the root of the process tree to sample). */
  pid: number;
  /** Stop it and remove its folder. */
  stop(): Promise<void>;
}

const command = 'redis-server';
const readyTimeoutMs = 10_000;
/** SIGTERM stops it at once (it has nothing to save); SIGKILL after this. */
const stopTimeoutMs = 5_000;

/** Why a private Redis cannot be started here, or undefined when it can. */
export function redisUnavailable(): string | undefined {
  return onPath(command) ? undefined : `${command} is not installed (apt-get install redis-server)`;
}

export async function startRedis(): Promise<CacheServer> {
  const why = redisUnavailable();
  if (why) throw new Error(why);
  const folder = makeScratchDir('redis');
  const remove = (): void => rmSync(folder, { recursive: true, force: true });
  let child: ChildProcess | undefined;
  try {
    const port = await freePort();
    const [file, args] = dyingWithUs(command, [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      folder,
      // A cache, not a store: nothing is written to the disk.
      '--save',
      '',
      '--appendonly',
      'no',
      // Not a daemon: it stays our child, so that the parent-death signal and stop() reach it.
      '--daemonize',
      'no',
      '--logfile',
      join(folder, 'redis.log'),
    ]);
    child = spawn(file, args, { stdio: 'ignore' });
    const started = child;
    await untilPong(port, started, folder);
    return {
      url: `redis://127.0.0.1:${port}`,
      pid: started.pid as number,
      async stop() {
        await stopChild(started, 'SIGTERM', stopTimeoutMs);
        remove();
      },
    };
  } catch (error) {
    if (child) await stopChild(child, 'SIGTERM', stopTimeoutMs);
    remove();
    throw error;
  }
}

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

/** Resolve once the server answers PING; reject if it exits or takes too long. */
async function untilPong(port: number, child: ChildProcess, folder: string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`redis-server exited at start: ${logTail(folder)}`);
    if (await pings(port)) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not answer PING in ${readyTimeoutMs} ms: ${logTail(folder)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** One inline PING on a fresh connection: true on `+PONG`. */
export function pings(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

function logTail(folder: string): string {
  try {
    return readFileSync(join(folder, 'redis.log'), 'utf8').trim().split('\n').slice(-1)[0] ?? '';
  } catch {
    return '(no log)';
  }
}

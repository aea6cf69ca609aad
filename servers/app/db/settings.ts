/**
 * How the application reaches its database server: plain data, carried in the
 * AppConfig to every thread and process that serves. The tables live in a schema
 * of the suite's own, so a user's server (`--db-url`) is never touched elsewhere.
 */

/** Where the database is and how many connections each pool of it may hold. */
export interface DatabaseSettings {
  /** `postgres://user:password@host:port/database` */
  url: string;
  /**
   * Most connections one pool holds (pg.Pool's `max`): the event loop and node:http have one
   * pool, the worker pool one per worker thread, prefork one per process. The blocking model
   * holds one connection and process-per-request one per request, whatever this says.
   */
  poolSize: number;
  /**
   * `redis://host:port` of the cache server `cached-queries` reads, or undefined for the
   * in-process cache. Each process or thread that serves holds its own client of it, as it
   * holds its own database connections.
   */
  cacheUrl?: string | undefined;
}

/** Which cache `cached-queries` reads with these settings, as a run records it. */
export type CacheKind = 'redis' | 'memory';

export function cacheKind(settings: DatabaseSettings | undefined): CacheKind {
  return settings?.cacheUrl === undefined ? 'memory' : 'redis';
}

/** The schema that holds the suite's tables (TechEmpower's World and Fortune). */
export const schema = 'server_models';

/** The `application_name` of every connection the servers open, so the harness can count them. */
export const applicationName = 'server-models';

/** Rows of World (ids 1 to this), as TechEmpower's. */
export const worldRows = 10_000;

/** The SQL the database routes send. */
export const statements = {
  world: {
    name: 'server-models-world',
    text: `SELECT id, randomnumber AS "randomNumber" FROM ${schema}.world WHERE id = $1`,
  },
  fortunes: { name: 'server-models-fortunes', text: `SELECT id, message FROM ${schema}.fortune` },
  // One statement for the batch, rows locked in id order (the caller sorts), so that two
  // concurrent batches cannot deadlock.
  saveWorlds: {
    name: 'server-models-save-worlds',
    text: `UPDATE ${schema}.world AS w SET randomnumber = v.n FROM unnest($1::int[], $2::int[]) AS v(id, n) WHERE w.id = v.id`,
  },
};

/** The URL with its password replaced, for logs and results files. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

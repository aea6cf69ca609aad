/**
 * The database through one asynchronous pool of connections (pg.Pool): how the
 * event loop, each worker thread, each prefork process and node:http reach it.
 * A request waits for a free connection without holding up the thread. With a
 * cache server, one client of it beside the pool (its commands are pipelined).
 */
import { loadPg } from '../../optional-packages.ts';
import { redisWorldCache } from './redis-cache.ts';
import { applicationName, type DatabaseSettings } from './settings.ts';
import { type ClosableDatabase, sqlDatabase } from './sql-database.ts';

export function poolDatabase(settings: DatabaseSettings): ClosableDatabase {
  const pool = new (loadPg().Pool)({
    connectionString: settings.url,
    max: settings.poolSize,
    application_name: applicationName,
    // Connections stay open for the server's life, as a production pool keeps them.
    idleTimeoutMillis: 0,
  });
  // A connection that breaks while idle (the server restarted) is dropped by the pool; say so.
  pool.on('error', (error) => process.emitWarning(`database pool: ${error.message}`));
  return sqlDatabase(
    (statement, values) => pool.query({ ...statement, values }),
    () => pool.end(),
    settings.cacheUrl === undefined ? undefined : redisWorldCache(settings.cacheUrl),
  );
}

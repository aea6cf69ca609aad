/**
 * Loads TechEmpower's World rows from the database into the cache server, once,
 * before the models start: `cached-queries` must be served from a cache, and a
 * cache filled up front leaves the first requests of every model (and every
 * per-request child) the same work as the later ones. Rows the cache loses later
 * (evicted, flushed) are read from the database by the request that misses them.
 */
import { loadPg, loadRedisClient } from '../optional-packages.ts';
import { worldJson, worldKey } from '../app/db/redis-cache.ts';
import { applicationName, schema } from '../app/db/settings.ts';
import type { World } from '../app/io.ts';

/** Keys written per MSET: 10,000 rows in ten round trips. */
const batch = 1_000;

/** Copy every World row of the database at `databaseUrl` into the Redis at `cacheUrl`; resolves with their number. */
export async function fillCache(databaseUrl: string, cacheUrl: string): Promise<number> {
  const database = new (loadPg().Client)({
    connectionString: databaseUrl,
    application_name: `${applicationName}-setup`,
  });
  await database.connect();
  let rows: World[];
  try {
    ({ rows } = await database.query<World>(`SELECT id, randomnumber AS "randomNumber" FROM ${schema}.world`));
  } finally {
    await database.end();
  }
  const cache = loadRedisClient().createClient({ url: cacheUrl, socket: { reconnectStrategy: false } });
  cache.on('error', () => undefined); // a failure rejects connect() or mSet; unheard, the event would crash us
  await cache.connect();
  try {
    for (let at = 0; at < rows.length; at += batch)
      await cache.mSet(rows.slice(at, at + batch).map((row) => [worldKey(row.id), worldJson(row)] as [string, string]));
  } finally {
    await cache.close();
  }
  return rows.length;
}

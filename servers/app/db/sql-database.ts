/**
 * The Database operations as SQL over whatever sends a query: a pool, one
 * connection, or a worker thread holding one. Also the cache that
 * `cached-queries` reads: a cache server (redis-cache.ts) when one is given,
 * else an in-process one that lives as long as the object, so a process that
 * serves one request (process-per-request) never finds anything in it.
 * Either way a row the cache lacks is read from the database and kept.
 */
import type { Database, Fortune, World } from '../io.ts';
import type { WorldCache } from './redis-cache.ts';
import { statements } from './settings.ts';

/** A prepared statement (by name) and its parameters, answered with its rows. */
export type Query = (statement: { name: string; text: string }, values?: unknown[]) => Promise<{ rows: unknown[] }>;

/** A Database that can also let go of its connections. */
export interface ClosableDatabase extends Database {
  close(): Promise<void>;
}

export function sqlDatabase(query: Query, close: () => Promise<void>, server?: WorldCache): ClosableDatabase {
  const worlds = (ids: readonly number[]): Promise<World[]> =>
    Promise.all(
      ids.map(async (id) => {
        const { rows } = await query(statements.world, [id]);
        const row = rows[0] as World | undefined;
        if (row === undefined) throw new Error(`no World row ${id}`);
        return row;
      }),
    );
  return {
    worlds,
    cachedWorlds: server ? cachedFrom(server, worlds) : cachedInProcess(worlds),
    async fortunes() {
      return (await query(statements.fortunes)).rows as Fortune[];
    },
    async saveWorlds(rows) {
      const sorted = [...rows].sort((a, b) => a.id - b.id);
      await query(statements.saveWorlds, [sorted.map((r) => r.id), sorted.map((r) => r.randomNumber)]);
    },
    async close() {
      try {
        await server?.close();
      } finally {
        await close();
      }
    },
  };
}

type Worlds = (ids: readonly number[]) => Promise<World[]>;

function cachedInProcess(worlds: Worlds): Worlds {
  const cache = new Map<number, World>();
  return async (ids) => {
    const missing = [...new Set(ids.filter((id) => !cache.has(id)))];
    if (missing.length > 0) for (const row of await worlds(missing)) cache.set(row.id, row);
    return ids.map((id) => cache.get(id) as World);
  };
}

/** One read of the cache server for the request's rows (MGET); the database only for those it lacks. */
function cachedFrom(server: WorldCache, worlds: Worlds): Worlds {
  return async (ids) => {
    const found = await server.read(ids);
    const missing = [...new Set(ids.filter((_, i) => found[i] === undefined))];
    if (missing.length === 0) return found as World[];
    const read = await worlds(missing);
    await server.write(read);
    const byId = new Map(read.map((row) => [row.id, row]));
    return found.map((row, i) => row ?? (byId.get(ids[i] as number) as World));
  };
}

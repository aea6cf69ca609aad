/**
 * The Database operations as SQL over whatever sends a query: a pool, one
 * connection, or a worker thread holding one. Also the in-process cache that
 * `cached-queries` reads: it lives as long as the object, so a process that
 * serves one request (process-per-request) never finds anything in it.
 */
import type { Database, Fortune, World } from '../io.ts';
import { statements } from './settings.ts';

/** A prepared statement (by name) and its parameters, answered with its rows. */
export type Query = (statement: { name: string; text: string }, values?: unknown[]) => Promise<{ rows: unknown[] }>;

/** A Database that can also let go of its connections. */
export interface ClosableDatabase extends Database {
  close(): Promise<void>;
}

export function sqlDatabase(query: Query, close: () => Promise<void>): ClosableDatabase {
  const cache = new Map<number, World>();
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
    async cachedWorlds(ids) {
      const missing = [...new Set(ids.filter((id) => !cache.has(id)))];
      if (missing.length > 0) for (const row of await worlds(missing)) cache.set(row.id, row);
      return ids.map((id) => cache.get(id) as World);
    },
    async fortunes() {
      return (await query(statements.fortunes)).rows as Fortune[];
    },
    async saveWorlds(rows) {
      const sorted = [...rows].sort((a, b) => a.id - b.id);
      await query(statements.saveWorlds, [sorted.map((r) => r.id), sorted.map((r) => r.randomNumber)]);
    },
    close,
  };
}

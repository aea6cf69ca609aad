/**
 * The World rows in a Redis cache server, for `cached-queries`: each row under
 * its own key (`server_models:world:<id>`, the row's JSON), a request's rows read
 * with one MGET. One client holds one connection (resp-connection.ts), opened at
 * the first read and closed with `close()`; commands sent while others are in
 * flight are pipelined on it, so one client serves a whole thread's requests.
 */
import type { World } from '../io.ts';
import { openRespConnection, type RespConnection } from './resp-connection.ts';
import { schema } from './settings.ts';

/** Where the rows are kept outside the process: read many at once, write the ones that were missing. */
export interface WorldCache {
  /** The rows of `ids`, in that order; undefined where the cache holds none. */
  read(ids: readonly number[]): Promise<(World | undefined)[]>;
  write(rows: readonly World[]): Promise<void>;
  close(): Promise<void>;
}

/** The key of a World row, in the suite's own namespace of a shared Redis. */
export function worldKey(id: number): string {
  return `${schema}:world:${id}`;
}

/** The value stored for a row: its JSON, TechEmpower's two fields only. */
export function worldJson(row: World): string {
  return JSON.stringify({ id: row.id, randomNumber: row.randomNumber });
}

/** A client of the Redis at `url` (`redis://host:port`), connected at its first use. */
export function redisWorldCache(url: string): WorldCache {
  let connected: Promise<RespConnection> | undefined;
  const connection = async (): Promise<RespConnection> => {
    // A connection that could not be opened, or that broke (the server went away), is opened
    // afresh by the next request: a Redis that comes back is used again.
    connected ??= openRespConnection(url).catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    const opening = connected;
    const open = await opening;
    if (open.open) return open;
    if (connected === opening) connected = undefined;
    return connection();
  };
  return {
    async read(ids) {
      if (ids.length === 0) return [];
      const values = await (await connection()).send(['MGET', ...ids.map(worldKey)]);
      if (!Array.isArray(values)) throw new Error(`cache server: MGET answered ${JSON.stringify(values)}`);
      return values.map((value) => (typeof value === 'string' ? (JSON.parse(value) as World) : undefined));
    },
    async write(rows) {
      if (rows.length === 0) return;
      await (await connection()).send(['MSET', ...rows.flatMap((row) => [worldKey(row.id), worldJson(row)])]);
    },
    async close() {
      const opening = connected;
      connected = undefined;
      await (await opening?.catch(() => undefined))?.close();
    },
  };
}

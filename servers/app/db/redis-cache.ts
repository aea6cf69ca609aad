/**
 * The World rows in a Redis cache server, for `cached-queries`: each row under
 * its own key (`server_models:world:<id>`, the row's JSON), a request's rows read
 * with one MGET. One client holds one connection, opened at the first read and
 * closed with `close()`; commands sent while others are in flight are pipelined
 * on it, so one client serves a whole thread's requests. `@redis/client` is loaded
 * at the first read, so a per-request child that never reads the cache does not
 * pay for loading it.
 */
import type { World } from '../io.ts';
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

const connectTimeoutMs = 5_000;

/** A client of the Redis at `url` (`redis://host:port`), connected at its first use. */
export function redisWorldCache(url: string): WorldCache {
  type Client = Awaited<ReturnType<typeof connect>>;
  let connected: Promise<Client> | undefined;
  const connect = async () => {
    const { createClient } = await import('@redis/client');
    const client = createClient({
      url,
      socket: {
        connectTimeout: connectTimeoutMs,
        // A cache that went away is retried a few times, then its commands fail (the route answers 500).
        reconnectStrategy: (retries, cause) => (retries < 5 ? 50 * 2 ** retries : cause),
      },
    });
    client.on('error', (error: Error) => process.emitWarning(`cache connection: ${error.message}`));
    await client.connect();
    return client;
  };
  const client = async (): Promise<Client> => {
    // A connection that could not be opened, or that the client gave up reconnecting (it is then
    // closed for good), is opened afresh by the next request: a Redis that comes back is used again.
    connected ??= connect().catch((error: unknown) => {
      connected = undefined;
      throw error;
    });
    const opening = connected;
    const open = await opening;
    if (open.isOpen) return open;
    if (connected === opening) connected = undefined;
    return client();
  };
  return {
    async read(ids) {
      const values = await (await client()).mGet(ids.map(worldKey));
      return values.map((value) => (value === null ? undefined : (JSON.parse(value) as World)));
    },
    async write(rows) {
      if (rows.length === 0) return;
      await (await client()).mSet(rows.map((row) => [worldKey(row.id), worldJson(row)] as [string, string]));
    },
    async close() {
      const open = connected;
      connected = undefined;
      const opened = await open?.catch(() => undefined);
      if (opened?.isOpen) await opened.close();
    },
  };
}

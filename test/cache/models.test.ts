/**
 * cached-queries from a real Redis, through every model and node:http: the rows
 * a model answers are the database's (loaded into Redis by fillCache); a value
 * changed in Redis shows in the answer, so the cache server is really read; a
 * key removed from Redis is read from the database and written back; and each
 * model holds its Redis connections its own way (process-per-request one per
 * request, the others one per serving thread or process, kept).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@redis/client';
import pg from 'pg';
import { worldKey } from '../../servers/app/db/redis-cache.ts';
import { schema } from '../../servers/app/db/settings.ts';
import type { World } from '../../servers/app/io.ts';
import { fillCache } from '../../servers/cache/fill.ts';
import { type CacheServer, redisUnavailable, startRedis } from '../../servers/cache/redis.ts';
import { type DatabaseServer, startEmbeddedDatabase } from '../../servers/database/embedded.ts';
import { defaultDatabasePoolSize } from '../../servers/defaults.ts';
import { httpRequest, runnableModels, startServer, type TestServer } from '../cores/helpers.ts';

/** Serving threads or processes of the pooled models in these tests (startServer's `threads`). */
const threads = 2;

describe('cached-queries from Redis, every model', { skip: redisUnavailable() }, () => {
  let database: DatabaseServer;
  let redis: CacheServer;
  let cache: ReturnType<typeof createClient>;
  let db: pg.Client;
  /** Every World row as the database holds it, by id. */
  let stored: Map<number, number>;

  before(async () => {
    [database, redis] = await Promise.all([startEmbeddedDatabase(), startRedis()]);
    assert.equal(await fillCache(database.url, redis.url), 10_000);
    cache = createClient({ url: redis.url });
    await cache.connect();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const { rows } = await db.query<World>(`SELECT id, randomnumber AS "randomNumber" FROM ${schema}.world`);
    stored = new Map(rows.map((row) => [row.id, row.randomNumber]));
  });
  after(async () => {
    await cache?.close();
    await db?.end();
    await Promise.all([redis?.stop(), database?.stop()]);
  });

  const cachedRows = async (server: TestServer, count: number): Promise<World[]> => {
    const response = await httpRequest(server, `/cached-queries?count=${count}`);
    assert.equal(response.status, 200, response.body.toString());
    const rows = JSON.parse(response.body.toString()) as World[];
    assert.equal(rows.length, count);
    return rows;
  };
  const connectionsReceived = async (): Promise<number> =>
    Number(/total_connections_received:(\d+)/.exec(await cache.info('stats'))?.[1]);

  for (const model of [...runnableModels, 'node-http']) {
    describe(model, () => {
      let server: TestServer;
      before(async () => {
        server = await startServer(model, {
          threads,
          database: { url: database.url, poolSize: defaultDatabasePoolSize, cacheUrl: redis.url },
        });
      });
      after(() => server?.close());

      it('answers the rows the database holds', async () => {
        for (const row of await cachedRows(server, 500))
          assert.deepEqual(row, { id: row.id, randomNumber: stored.get(row.id) });
      });

      it('reads them from Redis: a value changed there is the value answered', async () => {
        // Every key a number the database does not hold for that id; put back afterwards.
        const changed = (id: number): number => ((stored.get(id) as number) % 10_000) + 1;
        await cache.mSet(
          [...stored.keys()].map((id) => [worldKey(id), JSON.stringify({ id, randomNumber: changed(id) })]),
        );
        try {
          for (const row of await cachedRows(server, 100))
            assert.equal(row.randomNumber, changed(row.id), `row ${row.id}`);
        } finally {
          await fillCache(database.url, redis.url);
        }
      });

      it('reads a row Redis lacks from the database and writes it back', async () => {
        const ids = [...stored.keys()];
        await cache.del(ids.map(worldKey));
        try {
          const rows = await cachedRows(server, 50);
          for (const row of rows) {
            assert.equal(row.randomNumber, stored.get(row.id), `row ${row.id}`);
            assert.deepEqual(JSON.parse((await cache.get(worldKey(row.id))) ?? 'null'), row, `key of row ${row.id}`);
          }
        } finally {
          await fillCache(database.url, redis.url);
        }
      });

      it(
        model === 'process-per-request'
          ? 'opens a Redis connection per request, as a CGI program does'
          : `keeps its Redis connections (at most one per serving thread or process) across requests`,
        async () => {
          await cachedRows(server, 1); // every serving thread has had the chance to connect
          const before = await connectionsReceived();
          const requests = 8;
          for (let i = 0; i < requests; i++) await cachedRows(server, 5);
          const opened = (await connectionsReceived()) - before;
          if (model === 'process-per-request') assert.equal(opened, requests);
          else assert.ok(opened <= threads, `${opened} connections opened for ${requests} requests`);
        },
      );
    });
  }
});

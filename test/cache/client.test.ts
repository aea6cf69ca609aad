/**
 * The app's Redis client (redis-cache.ts) when its server goes away and comes
 * back: reads fail within a bounded time rather than hang, and once a Redis
 * answers on that address again the same client uses it, without a restart of
 * the model that holds it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { redisWorldCache } from '../../servers/app/db/redis-cache.ts';
import { pings, redisUnavailable } from '../../servers/cache/redis.ts';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A bare redis-server on `port` (no folder of its own: it writes nothing), once it answers PING. */
async function redisOn(port: number): Promise<ChildProcess> {
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', '/tmp'],
    { stdio: 'ignore' },
  );
  const deadline = Date.now() + 10_000;
  while (!(await pings(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGKILL');
  await once(child, 'exit');
}

describe('the Redis client of the app', { skip: redisUnavailable() }, () => {
  const started: ChildProcess[] = [];
  after(() => Promise.all(started.map(stop)));

  it('fails while its server is gone, and uses it again once it is back', async () => {
    const port = await freePort();
    const first = await redisOn(port);
    started.push(first);
    const cache = redisWorldCache(`redis://127.0.0.1:${port}`);
    try {
      await cache.write([{ id: 1, randomNumber: 5 }]);
      assert.deepEqual(await cache.read([1, 2]), [{ id: 1, randomNumber: 5 }, undefined]);

      await stop(first);
      for (let i = 0; i < 2; i++) {
        const began = Date.now();
        await assert.rejects(cache.read([1]));
        assert.ok(Date.now() - began < 10_000, `a read took ${Date.now() - began} ms to fail`);
      }

      started.push(await redisOn(port));
      // A fresh server holds nothing: the row is absent, not an error.
      assert.deepEqual(await cache.read([1]), [undefined]);
    } finally {
      await cache.close();
    }
  });
});

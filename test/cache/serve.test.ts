/**
 * The serve command with a cache server: `--cache redis` starts a private Redis,
 * loads the World rows into it, says `cache: redis` on its settings line, answers
 * /cached-queries from it, and leaves no redis-server on SIGTERM; `--cache-url`
 * uses a running one; a bad or unreachable URL, or a cache without a database,
 * is one line and exit 2. Without either, the settings line says `memory`.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { createClient } from '@redis/client';
import { worldKey } from '../../servers/app/db/redis-cache.ts';
import { type CacheServer, redisUnavailable, startRedis } from '../../servers/cache/redis.ts';
import { processAlive } from '../cores/helpers.ts';

const serve = fileURLToPath(new URL('../../servers/serve.ts', import.meta.url));

/** Every serve started here, stopped at the end if a failed test left it running. */
const started = new Set<ChildProcess>();

function startServe(args: string[], env: NodeJS.ProcessEnv = process.env) {
  const child = spawn(process.execPath, ['--import', 'tsx', serve, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  started.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const line = async (): Promise<string> => (await lines.next()).value as string;
  return { child, exited, line };
}

/** What the command exited with; a serve still running after 30 s (a refusal that did not happen) is stopped. */
async function stopIfRunning<T>(child: ChildProcess, exited: Promise<T>): Promise<T> {
  const timer = setTimeout(() => child.kill('SIGTERM'), 30_000);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** The redis-server processes whose parent is `parent`. */
function redisChildrenOf(parent: number): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, 'utf8').startsWith('redis-server'))
        found.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('serve with a cache server', { skip: redisUnavailable() }, () => {
  after(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });

  it('--cache redis: loads the rows, says so, serves them from Redis, removes it on SIGTERM', async () => {
    const { child, exited, line } = startServe(['--model', 'event-loop', '--db', 'embedded', '--cache', 'redis']);
    const url = (await line()).slice('listening on '.length);
    const settings = JSON.parse((await line()).replace(/^settings /, '')) as Record<string, unknown>;
    assert.equal(settings.cache, 'redis');
    assert.match(String(settings.cacheUrl), /^redis:\/\/127\.0\.0\.1:\d+$/);
    assert.doesNotMatch(String(settings.database), /:[0-9a-f]{32}@/, 'the database password is not printed');
    const [pid] = redisChildrenOf(child.pid!);
    assert.ok(pid, 'a redis-server runs under serve');
    const cache = createClient({ url: String(settings.cacheUrl) });
    await cache.connect();
    try {
      assert.equal(await cache.dbSize(), 10_000, 'every World row is loaded before serve says it listens');
      await cache.set(worldKey(7), JSON.stringify({ id: 7, randomNumber: 4242 }));
      // 500 random ids of 10,000 miss id 7 about 95% of the time: ask until it is there.
      let seen: { id: number; randomNumber: number } | undefined;
      for (let i = 0; i < 200 && seen === undefined; i++) {
        const rows = (await (await fetch(`${url}/cached-queries?count=500`)).json()) as {
          id: number;
          randomNumber: number;
        }[];
        seen = rows.find((row) => row.id === 7);
      }
      assert.deepEqual(seen, { id: 7, randomNumber: 4242 });
    } finally {
      await cache.close();
    }
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    assert.equal(code, 0, stderr);
    assert.equal(processAlive(pid), false, 'redis-server is left');
  });

  describe('--cache-url', () => {
    let redis: CacheServer;
    before(async () => {
      redis = await startRedis();
    });
    after(() => redis?.stop());

    it('uses a running Redis and says so', async () => {
      const { child, exited, line } = startServe(['--model', 'blocking', '--db', 'embedded', '--cache-url', redis.url]);
      const url = (await line()).slice('listening on '.length);
      const settings = JSON.parse((await line()).replace(/^settings /, '')) as Record<string, unknown>;
      assert.deepEqual([settings.cache, settings.cacheUrl], ['redis', redis.url]);
      assert.equal((await fetch(`${url}/cached-queries?count=3`)).status, 200);
      child.kill('SIGTERM');
      assert.equal((await exited).code, 0);
      assert.equal(processAlive(redis.pid), true, 'a Redis serve did not start is not stopped by it');
    });
  });

  it('without a cache flag the settings line says memory', async () => {
    const { child, exited, line } = startServe(['--model', 'event-loop']);
    await line();
    const settings = JSON.parse((await line()).replace(/^settings /, '')) as Record<string, unknown>;
    assert.deepEqual(settings, { database: null, dbPool: null, cache: 'memory', cacheUrl: null });
    child.kill('SIGTERM');
    assert.equal((await exited).code, 0);
  });

  for (const [what, args, message] of [
    ['not a URL', ['--db', 'embedded', '--cache-url', 'nonsense'], /^serve: --cache-url: not a URL/],
    ['not redis', ['--db', 'embedded', '--cache-url', 'http://127.0.0.1:1'], /^serve: --cache-url: expected a redis/],
    ['unreachable', ['--db', 'embedded', '--cache-url', 'redis://127.0.0.1:1'], /^serve: --cache-url 127\.0\.0\.1:1:/],
    ['no database', ['--cache', 'redis'], /^serve: --cache needs a database/],
    ['an unknown cache', ['--db', 'embedded', '--cache', 'memcached'], /^serve: --cache memcached: expected/],
    ['both flags', ['--db', 'embedded', '--cache', 'redis', '--cache-url', 'redis://127.0.0.1:1'], /choose one/],
  ] as const) {
    it(`${what}: one line, exit 2`, async () => {
      const { child, exited } = startServe(['--model', 'event-loop', ...args]);
      const { code, stderr } = await stopIfRunning(child, exited);
      assert.equal(code, 2, stderr);
      assert.match(stderr, message);
      assert.match(stderr, /^[^\n]*\n$/);
    });
  }

  it('--cache redis where redis-server is not installed: one line, exit 2', async () => {
    // A PATH with node alone on it: no redis-server to find.
    const bin = mkdtempSync(join(tmpdir(), 'server-models-test-path-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const { child, exited } = startServe(['--model', 'event-loop', '--db', 'embedded', '--cache', 'redis'], {
      ...process.env,
      PATH: bin,
    });
    const { code, stderr } = await stopIfRunning(child, exited);
    rmSync(bin, { recursive: true, force: true });
    assert.equal(code, 2, stderr);
    assert.equal(stderr, 'serve: --cache redis: redis-server is not installed (apt-get install redis-server)\n');
  });
});

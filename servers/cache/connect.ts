/**
 * The cache server a command was asked for: `--cache redis` starts a private
 * Redis (redis.ts); `--cache-url redis://…` checks that a running one answers.
 * Either way the World rows are then loaded into it from the database once
 * (fill.ts), before any model starts. A URL that is malformed or unreachable, or
 * no redis-server to start, is a CacheUrlError, reported as one line and exit 2.
 */
import { loadRedisClient } from '../optional-packages.ts';
import { type CacheServer, redisUnavailable, startRedis } from './redis.ts';
import { CacheUrlError, parseCacheUrl } from './url.ts';

export { CacheUrlError };

/** What the command line asked for: the in-process cache, a private Redis, or a running one. */
export type CacheChoice = { kind: 'memory' } | { kind: 'redis' } | { kind: 'url'; url: string };

/** A cache server the suite started (`pid`) or was given (`pid` null, `stop` a no-op). */
export type OpenCache = Omit<CacheServer, 'pid'> & { pid: number | null };

const connectTimeoutMs = 5_000;

/** The server for a choice other than memory: started, or checked. */
export async function openCache(choice: Exclude<CacheChoice, { kind: 'memory' }>): Promise<OpenCache> {
  if (choice.kind === 'redis') {
    const why = redisUnavailable();
    if (why) throw new CacheUrlError(`--cache redis: ${why}`);
    return startRedis();
  }
  const { url } = choice;
  const parsed = parseCacheUrl(url);
  const client = loadRedisClient().createClient({
    url,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: false },
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0] || (error as NodeJS.ErrnoException).code;
    throw new CacheUrlError(`--cache-url ${parsed.host}: cannot use this cache server: ${reason}`);
  } finally {
    if (client.isOpen) await client.close();
  }
  return { url, pid: null, stop: () => Promise.resolve() };
}

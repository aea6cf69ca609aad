/**
 * The run's cache server for `cached-queries`: a private Redis (Debian's
 * redis-server) when one is installed, a user's with `--cache redis://…`, or the
 * application's in-process cache (`--cache memory`, or no redis-server here: the
 * run says which). Started once, beside the run's database, only when a scenario
 * reads the cache; every model's serve command gets its URL, and serve loads the
 * World rows into it before the model starts (servers/cache/fill.ts).
 */
import { CacheUrlError, type OpenCache, openCache } from '../../servers/cache/connect.ts';
import { redisUnavailable } from '../../servers/cache/redis.ts';
import type { CacheOption } from '../plan/cache-option.ts';
import { UsageError } from '../plan/usage-error.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';

/** The cache as a run holds it. */
export interface RunCache {
  kind: 'in-process' | 'redis';
  /** redis-server's PID when the run started it (its CPU is the run's own), else null. */
  pid: number | null;
  serveArgs: string[];
  description: Record<string, unknown>;
  stop(): Promise<void>;
}

function inProcess(why: string): RunCache {
  return {
    kind: 'in-process',
    pid: null,
    serveArgs: [],
    description: { kind: 'in-process', why },
    stop: async () => {},
  };
}

/** The run's cache when a scenario reads one, else undefined. */
export async function cacheFor(scenarios: readonly ScenarioDef[], option: CacheOption): Promise<RunCache | undefined> {
  if (!scenarios.some((s) => s.database === 'cached')) return undefined;
  if (option === 'memory') return inProcess('--cache memory');
  const missing = redisUnavailable();
  if (option === 'auto' && missing) return inProcess(missing);
  let server: OpenCache;
  try {
    server = await openCache(
      option === 'auto' || option === 'redis' ? { kind: 'redis' } : { kind: 'url', url: option.url },
    );
  } catch (error) {
    throw error instanceof CacheUrlError ? new UsageError(error.message.replace(/^--cache-url/, '--cache')) : error;
  }
  const started = server.pid !== null;
  return {
    kind: 'redis',
    pid: server.pid,
    serveArgs: ['--cache-url', server.url],
    description: { kind: 'redis', server: started ? 'redis-server (private, started by the run)' : 'given by --cache' },
    stop: () => server.stop(),
  };
}

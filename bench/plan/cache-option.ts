/** `--cache` of the bench: what `cached-queries` reads (bench/run/cache.ts starts or opens it). */
import { UsageError } from './usage-error.ts';

/** `--cache`: the default picks Redis when redis-server is installed. */
export type CacheOption = 'auto' | 'memory' | 'redis' | { url: string };

/** `--cache`'s value, or a UsageError naming what it takes. */
export function parseCacheOption(value: string | undefined): CacheOption {
  if (value === undefined || value === 'memory' || value === 'redis') return value ?? 'auto';
  if (/^rediss?:\/\//.test(value)) return { url: value };
  throw new UsageError(`--cache takes memory, redis or a redis://HOST:PORT URL, not ${JSON.stringify(value)}`);
}

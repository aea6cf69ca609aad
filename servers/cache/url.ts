/** A cache server's URL as the commands take it (`redis://host:port`), and the error a bad one is. */

/** The cache cannot be used: a usage error (one line, exit 2), not a crash. */
export class CacheUrlError extends Error {}

/** The parsed URL, or a CacheUrlError saying what is wrong with it. */
export function parseCacheUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CacheUrlError('--cache-url: not a URL (expected redis://host:port)');
  }
  if (parsed.protocol !== 'redis:')
    throw new CacheUrlError(`--cache-url: expected a redis:// URL, got ${parsed.protocol}//`);
  return parsed;
}

/**
 * Command line: start one server model and print its address.
 *
 *   npm run serve -- --model <name> [--host 127.0.0.1] [--port 0] [--root DIR]
 *                    [--threads N] [--max-children N] [--access-log FILE] [--node PATH|MAJOR]
 *                    [--db embedded | --db-url postgres://…] [--db-pool N]
 *                    [--cache redis | --cache-url redis://…]
 *
 * The first line on standard output is exactly `listening on http://HOST:PORT`,
 * the second `settings {…}` (the database, its pools, and which cache
 * `cached-queries` reads, as JSON, passwords redacted); SIGTERM or SIGINT drains
 * and exits 0; a usage error is one line and exit 2. With `--db embedded` it starts
 * a private PostgreSQL cluster first and removes it on exit; `--cache redis`, a
 * private Redis, likewise.
 * TEST-ONLY: the variables of `cores/inject.ts` add work to every request.
 */
import { closeSync, openSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { makeScratchDir } from './scratch-dir.ts';
import { ensureDefaultSite } from './app/site.ts';
import { injectableModels, injectionFromEnvironment, injectionVariables } from './cores/inject.ts';
import type { CoreOptions } from './cores/types.ts';
import { type DatabaseChoice, DatabaseUrlError, openDatabase } from './database/connect.ts';
import type { DatabaseServer } from './database/embedded.ts';
import type { CacheChoice, OpenCache } from './cache/connect.ts';
import { redisUnavailable } from './cache/redis.ts';
import { CacheUrlError, parseCacheUrl } from './cache/url.ts';
import { cacheKind, redactedUrl } from './app/db/settings.ts';
import { defaultDatabasePoolSize, serverDefaults } from './defaults.ts';
import { nodeBinary, runOn, takeNodeFlag } from './on-node.ts';
import { findServer, registry } from './registry.ts';

class UsageError extends Error {}

function usage(): string {
  const width = Math.max(...registry.map((entry) => entry.name.length));
  const lines = registry.map((entry) => {
    const note = entry.unavailable ? ` (unavailable here: ${entry.unavailable})` : '';
    return `  ${entry.name.padEnd(width)}  ${entry.kind === 'peer' ? '[peer] ' : ''}${entry.summary}${note}`;
  });
  return [
    'usage: npm run serve -- --model <name> [--host 127.0.0.1] [--port 0] [--root DIR] [--threads N]',
    '                        [--max-children N] [--access-log FILE] [--node PATH|MAJOR]',
    '                        [--db embedded | --db-url postgres://...] [--db-pool N]',
    '                        [--cache redis | --cache-url redis://...]',
    '',
    'models:',
    ...lines,
    '',
    `--max-children N: process-per-request's cap on children running at once (default ${serverDefaults.maxChildren},`,
    '  2 × the CPUs this process may run on); a request over it waits in the parent.',
    '--node PATH|MAJOR: serve on that Node (MAJOR: one npm run setup:node -- MAJOR installed).',
    '--db embedded: start a private PostgreSQL (TechEmpower World and Fortune) for /db, /queries, /fortunes,',
    '  /updates and /cached-queries, removed on exit; --db-url: a server of yours (only the schema',
    `  server_models is created or written). --db-pool N: connections per pool (default ${defaultDatabasePoolSize}).`,
    '--cache redis: /cached-queries from a private Redis (redis-server, removed on exit); --cache-url: a',
    '  running Redis of yours (only keys server_models:world:* are written). Both need a database, whose',
    '  World rows are loaded into the cache at start. Default: a cache in each serving process.',
    'Prints `listening on http://HOST:PORT` once ready, then `settings {...}` (database, pool, cache);',
    'SIGTERM or SIGINT drains and exits 0.',
    `Test-only fault injection, per request: ${injectionVariables.spinUs}=N (busy-wait N µs),`,
    `${injectionVariables.loopIterations}=N (an integer loop of N iterations); models: ${injectableModels.join(', ')}.`,
  ].join('\n');
}

function parseCommandLine(
  argv: string[],
): { model: string; options: CoreOptions; database: DatabaseChoice; poolSize: number; cache: CacheChoice } | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        model: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        root: { type: 'string' },
        threads: { type: 'string' },
        'max-children': { type: 'string' },
        'access-log': { type: 'string' },
        db: { type: 'string' },
        'db-url': { type: 'string' },
        'db-pool': { type: 'string' },
        cache: { type: 'string' },
        'cache-url': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  if (values.help) return 'help';
  if (values.model === undefined) throw new UsageError('missing --model <name> (see --help)');
  const entry = findServer(values.model);
  if (entry === undefined)
    throw new UsageError(`unknown model "${values.model}" (models: ${registry.map((e) => e.name).join(', ')})`);
  if (entry.unavailable) throw new UsageError(`model "${entry.name}" is unavailable here: ${entry.unavailable}`);
  const port = integerFlag('--port', values.port, 0, 65_535) ?? serverDefaults.port;
  const threads = integerFlag('--threads', values.threads, 1, 1_024) ?? serverDefaults.threads;
  const maxChildren = integerFlag('--max-children', values['max-children'], 1, 4_096) ?? serverDefaults.maxChildren;
  const root = values.root === undefined ? ensureDefaultSite() : resolve(values.root);
  if (!isDirectory(root)) throw new UsageError(`--root ${values.root}: not a directory`);
  const poolSize = integerFlag('--db-pool', values['db-pool'], 1, 1_000) ?? defaultDatabasePoolSize;
  if (values.db !== undefined && values.db !== 'embedded')
    throw new UsageError(`--db ${values.db}: the only value is embedded (for a server of yours: --db-url)`);
  if (values.db !== undefined && values['db-url'] !== undefined)
    throw new UsageError('--db embedded and --db-url: choose one');
  const database: DatabaseChoice =
    values['db-url'] !== undefined
      ? { kind: 'url', url: values['db-url'] }
      : values.db === 'embedded'
        ? { kind: 'embedded' }
        : { kind: 'none' };
  const cache = cacheChoice(values.cache, values['cache-url']);
  if (cache.kind !== 'memory' && database.kind === 'none')
    throw new UsageError(
      `--cache${cache.kind === 'url' ? '-url' : ''} needs a database: add --db embedded or --db-url`,
    );
  const accessLog = values['access-log'] === undefined ? undefined : resolve(values['access-log']);
  if (accessLog !== undefined) checkAppendable(accessLog);
  let inject;
  try {
    inject = injectableModels.includes(entry.name) ? injectionFromEnvironment(process.env) : undefined;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    model: entry.name,
    database,
    poolSize,
    cache,
    options: {
      ...serverDefaults,
      host: values.host ?? serverDefaults.host,
      port,
      root,
      threads,
      maxChildren,
      accessLog,
      inject,
      // Filled in main(): a fresh folder per server, removed when it closes.
      uploadDir: '',
    },
  };
}

function cacheChoice(cache: string | undefined, url: string | undefined): CacheChoice {
  if (cache !== undefined && cache !== 'redis' && cache !== 'memory')
    throw new UsageError(`--cache ${cache}: expected redis or memory (for a Redis of yours: --cache-url)`);
  if (cache !== undefined && url !== undefined) throw new UsageError(`--cache ${cache} and --cache-url: choose one`);
  if (url !== undefined) {
    try {
      parseCacheUrl(url);
    } catch (error) {
      if (error instanceof CacheUrlError) throw new UsageError(error.message);
      throw error;
    }
    return { kind: 'url', url };
  }
  if (cache !== 'redis') return { kind: 'memory' };
  // Checked before the database starts: a missing redis-server is a usage error, found at once.
  const why = redisUnavailable();
  if (why) throw new UsageError(`--cache redis: ${why}`);
  return { kind: 'redis' };
}

function integerFlag(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new UsageError(`${flag} ${raw}: expected an integer from ${min} to ${max}`);
  return value;
}

/** The log is opened (and created) by each process that serves: check here that it can be, for a usage error. */
function checkAppendable(file: string): void {
  try {
    closeSync(openSync(file, 'a'));
  } catch (error) {
    throw new UsageError(
      `--access-log ${file}: cannot open for appending (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { node, rest } = takeNodeFlag(process.argv.slice(2));
  if (node !== undefined) {
    const binary = nodeBinary(node);
    if ('problem' in binary) {
      process.stderr.write(`serve: ${binary.problem}\n`);
      process.exit(2);
    }
    process.exit(await runOn(binary.path, fileURLToPath(import.meta.url), rest));
  }
  let parsed;
  try {
    parsed = parseCommandLine(rest);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`serve: ${error.message}\n`);
    process.exit(2);
  }
  if (parsed === 'help') {
    process.stdout.write(`${usage()}\n`);
    return;
  }
  let database: DatabaseServer | undefined;
  if (parsed.database.kind !== 'none') {
    try {
      database = await openDatabase(parsed.database);
    } catch (error) {
      process.stderr.write(
        `serve: ${error instanceof DatabaseUrlError ? '' : 'cannot start the database: '}${(error as Error).message.split('\n')[0]}\n`,
      );
      process.exit(error instanceof DatabaseUrlError ? 2 : 1);
    }
  }
  let cache: OpenCache | undefined;
  if (database && parsed.cache.kind !== 'memory') cache = await openCacheOrExit(parsed.cache, database);
  const uploadDir = makeScratchDir('upload');
  const removeUploads = (): void => rmSync(uploadDir, { recursive: true, force: true });
  const cleanUp = async (): Promise<void> => {
    removeUploads();
    await cache?.stop();
    await database?.stop();
  };
  const databaseSettings = database && { url: database.url, poolSize: parsed.poolSize, cacheUrl: cache?.url };
  let server;
  try {
    server = await findServer(parsed.model)!.start({ ...parsed.options, uploadDir, database: databaseSettings });
  } catch (error) {
    await cleanUp();
    process.stderr.write(`serve: cannot start ${parsed.model}: ${(error as Error).message.split('\n')[0]}\n`);
    process.exit(1);
  }

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    server
      .close()
      .then(async () => {
        await cleanUp();
        process.exit(0);
      })
      .catch(async (error: unknown) => {
        await cleanUp();
        process.stderr.write(`serve: close failed: ${(error as Error).message}\n`);
        process.exit(1);
      });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Announced only once a signal would stop the server cleanly: whoever waits for this line may stop it at once.
  process.stdout.write(`listening on ${server.url}\n`);
  const settings = {
    database: databaseSettings ? redactedUrl(databaseSettings.url) : null,
    dbPool: databaseSettings ? databaseSettings.poolSize : null,
    cache: cacheKind(databaseSettings),
    cacheUrl: cache ? redactedUrl(cache.url) : null,
  };
  process.stdout.write(`settings ${JSON.stringify(settings)}\n`);
}

/**
 * Start or check the cache server and load the World rows into it, before any model starts (so no
 * model's first requests pay for the load, and no two processes race to do it); exits on failure.
 * Loaded only when asked for, so that a serve without a cache server does not load a Redis client.
 */
async function openCacheOrExit(
  choice: Exclude<CacheChoice, { kind: 'memory' }>,
  database: DatabaseServer,
): Promise<OpenCache> {
  const { openCache } = await import('./cache/connect.ts');
  const { fillCache } = await import('./cache/fill.ts');
  let cache: OpenCache | undefined;
  try {
    cache = await openCache(choice);
    await fillCache(database.url, cache.url);
    return cache;
  } catch (error) {
    await cache?.stop();
    await database.stop();
    const usage = error instanceof CacheUrlError;
    process.stderr.write(
      `serve: ${usage ? '' : 'cannot start the cache: '}${(error as Error).message.split('\n')[0]}\n`,
    );
    process.exit(usage ? 2 : 1);
  }
}

await main();

/**
 * The database through one connection of its own, opened at the first query
 * and closed with `close()`: what a CGI program does, once per request
 * (process-per-request), and what the blocking model's one thread holds.
 * `pg` is loaded at the first query, so a per-request child that never asks the
 * database does not pay for loading the client. With a cache server, it also holds
 * one connection to that, opened at the first `cachedWorlds`.
 */
import type { Client } from 'pg';
import { redisWorldCache } from './redis-cache.ts';
import { applicationName, type DatabaseSettings } from './settings.ts';
import { type ClosableDatabase, sqlDatabase } from './sql-database.ts';

export function connectionDatabase(settings: DatabaseSettings): ClosableDatabase {
  let connected: Promise<Client> | undefined;
  const connect = async (): Promise<Client> => {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: settings.url, application_name: applicationName });
    client.on('error', (error) => process.emitWarning(`database connection: ${error.message}`));
    await client.connect();
    return client;
  };
  // One connection answers one query at a time: a request's queries go one after the other.
  let previous: Promise<unknown> = Promise.resolve();
  return sqlDatabase(
    (statement, values) => {
      connected ??= connect();
      const client = connected;
      const answer = previous.then(async () => (await client).query({ ...statement, values }));
      previous = answer.catch(() => undefined);
      return answer;
    },
    async () => {
      if (connected) await (await connected.catch(() => undefined))?.end();
      connected = undefined;
    },
    settings.cacheUrl === undefined ? undefined : redisWorldCache(settings.cacheUrl),
  );
}

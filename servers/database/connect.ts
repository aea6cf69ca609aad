/**
 * The database a command was asked for: `--db embedded` starts a private
 * cluster (embedded.ts); `--db-url postgres://…` checks that the server answers
 * and sets up the suite's schema in it. A URL that is malformed or unreachable
 * is a DatabaseUrlError, which the commands report as one line and exit 2.
 */
import { loadPg } from '../optional-packages.ts';
import { applicationName } from '../app/db/settings.ts';
import { type DatabaseServer, startEmbeddedDatabase } from './embedded.ts';
import { seedSchema } from './schema.ts';

/** What the command line asked for: nothing, the embedded cluster, or a user's server. */
export type DatabaseChoice = { kind: 'none' } | { kind: 'embedded' } | { kind: 'url'; url: string };

/** The URL cannot be used: a usage error, not a crash. */
export class DatabaseUrlError extends Error {}

const connectTimeoutMs = 5_000;

/** The server for a choice other than none: started, or checked and given the schema. */
export async function openDatabase(choice: Exclude<DatabaseChoice, { kind: 'none' }>): Promise<DatabaseServer> {
  if (choice.kind === 'embedded') return startEmbeddedDatabase();
  const { url } = choice;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError('--db-url: not a URL (expected postgres://user:password@host:port/database)');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')
    throw new DatabaseUrlError(`--db-url: expected a postgres:// URL, got ${parsed.protocol}//`);
  const client = new (loadPg().Client)({
    connectionString: url,
    connectionTimeoutMillis: connectTimeoutMs,
    application_name: applicationName,
  });
  try {
    await client.connect();
    await client.end();
    await seedSchema(url);
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = (error as Error).message.split('\n')[0] || (error as NodeJS.ErrnoException).code;
    throw new DatabaseUrlError(`--db-url ${parsed.host}: cannot use this database server: ${reason}`);
  }
  return { url, pid: null, stop: () => Promise.resolve() };
}

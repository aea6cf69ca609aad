/**
 * TechEmpower's tables in the suite's own schema: World (10,000 rows, random
 * numbers 1-10000) and Fortune (its 12 rows). Only that schema is created or
 * written, so that a user's database server (`--db-url`) is not touched elsewhere;
 * tables already complete are left as they are.
 */
import { loadPg } from '../optional-packages.ts';
import { fortuneRows } from '../app/db/fortunes.ts';
import { applicationName, schema, worldRows } from '../app/db/settings.ts';

/** Create and fill the tables where they are missing or incomplete. */
export async function seedSchema(url: string): Promise<void> {
  const client = new (loadPg().Client)({ connectionString: url, application_name: `${applicationName}-setup` });
  await client.connect();
  try {
    await client.query('BEGIN');
    // Two seeders at once (two serve commands on one URL) take turns.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.world (id integer PRIMARY KEY, randomnumber integer NOT NULL DEFAULT 0)`,
    );
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.fortune (id integer PRIMARY KEY, message varchar(2048) NOT NULL)`,
    );
    const worlds = await client.query(`SELECT count(*)::int AS n FROM ${schema}.world WHERE id BETWEEN 1 AND $1`, [
      worldRows,
    ]);
    if (worlds.rows[0].n !== worldRows) {
      await client.query(`TRUNCATE ${schema}.world`);
      await client.query(
        `INSERT INTO ${schema}.world (id, randomnumber) SELECT x, floor(random() * 10000 + 1) FROM generate_series(1, $1) AS x`,
        [worldRows],
      );
    }
    const ids = fortuneRows.map((f) => f.id);
    const messages = fortuneRows.map((f) => f.message);
    const same = await client.query(
      `SELECT count(*)::int AS n FROM ${schema}.fortune AS f JOIN unnest($1::int[], $2::text[]) AS t(id, message) USING (id, message)`,
      [ids, messages],
    );
    const all = await client.query(`SELECT count(*)::int AS n FROM ${schema}.fortune`);
    if (same.rows[0].n !== fortuneRows.length || all.rows[0].n !== fortuneRows.length) {
      await client.query(`TRUNCATE ${schema}.fortune`);
      await client.query(`INSERT INTO ${schema}.fortune (id, message) SELECT * FROM unnest($1::int[], $2::text[])`, [
        ids,
        messages,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}

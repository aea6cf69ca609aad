/**
 * The embedded database server's life: a private cluster starts, holds
 * TechEmpower's tables, and leaves no process and no folder when stopped, nor
 * when the process that started it is killed with SIGKILL (the parent-death
 * signal). Then every model and node:http answer the database rows of the
 * exchanges table through it, and /updates really writes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { defaultDatabasePoolSize } from '../../servers/defaults.ts';
import { checkResponse } from '../../servers/app/exchanges.ts';
import { databaseRows } from '../../servers/app/exchanges/database.ts';
import { schema } from '../../servers/app/db/settings.ts';
import { type DatabaseServer, startEmbeddedDatabase } from '../../servers/database/embedded.ts';
import { httpRequest, processAlive, runnableModels, startServer, type TestServer } from '../cores/helpers.ts';

/** PIDs of the postgres processes under `postmaster` (its backends and helpers), and itself. */
function postgresTree(postmaster: number): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const alive = fields[0] !== 'Z';
      if (alive && (Number(name) === postmaster || Number(fields[1]) === postmaster)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe('the embedded database server', () => {
  it('starts seeded, and stop() leaves no process and no folder', async () => {
    const server = await startEmbeddedDatabase();
    const postmaster = server.pid!;
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const worlds = await client.query(
      `SELECT count(*)::int AS n, min(id) AS lo, max(id) AS hi, min(randomnumber) AS rlo, max(randomnumber) AS rhi FROM ${schema}.world`,
    );
    // ids 1-10000 exactly; random numbers within 1-10000 (a draw of 10,000 misses the value 1 about a third of the time).
    const { rlo, rhi, ...ids } = worlds.rows[0];
    assert.deepEqual(ids, { n: 10_000, lo: 1, hi: 10_000 });
    assert.ok(rlo >= 1 && rhi <= 10_000 && rhi - rlo > 9_000, `randomNumber from ${rlo} to ${rhi}`);
    const fortunes = await client.query(`SELECT count(*)::int AS n FROM ${schema}.fortune`);
    assert.equal(fortunes.rows[0].n, 12);
    await client.end();
    const folder = /-k (\S+)/.exec(readFileSync(`/proc/${postmaster}/cmdline`, 'utf8').replaceAll('\0', ' '))?.[1];
    assert.ok(folder && existsSync(folder));
    await server.stop();
    assert.deepEqual(postgresTree(postmaster), []);
    assert.equal(existsSync(folder), false);
  });

  it('dies with the process that started it, even by SIGKILL', async () => {
    const script =
      "const { startEmbeddedDatabase } = await import('./servers/database/embedded.ts');" +
      "const s = await startEmbeddedDatabase(); process.stdout.write(String(s.pid) + '\\n'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const postmaster = Number(line);
    assert.ok(processAlive(postmaster));
    child.kill('SIGKILL');
    assert.ok(await until(() => postgresTree(postmaster).length === 0, 10_000), 'postgres processes left behind');
  });
});

describe('every model through the embedded database', () => {
  let database: DatabaseServer;
  before(async () => {
    database = await startEmbeddedDatabase();
  });
  after(() => database.stop());

  for (const model of [...runnableModels, 'node-http']) {
    describe(model, () => {
      let server: TestServer;
      before(async () => {
        server = await startServer(model, { database: { url: database.url, poolSize: defaultDatabasePoolSize } });
      });
      after(() => server.close());

      for (const exchange of databaseRows) {
        it(exchange.name, async () => {
          const response = await httpRequest(server, exchange.path, { method: exchange.method });
          assert.deepEqual(checkResponse(exchange, response.status, response.headers, response.body), []);
        });
      }

      it('GET /updates writes the numbers it answers', async () => {
        const response = await httpRequest(server, '/updates?queries=5', { method: 'GET' });
        const rows = JSON.parse(Buffer.from(response.body).toString()) as { id: number; randomNumber: number }[];
        const client = new pg.Client({ connectionString: database.url });
        await client.connect();
        const stored = await client.query(
          `SELECT id, randomnumber AS "randomNumber" FROM ${schema}.world WHERE id = ANY($1)`,
          [rows.map((r) => r.id)],
        );
        await client.end();
        const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
        assert.deepEqual(stored.rows.sort(byId), [...rows].sort(byId));
      });
    });
  }
});

/**
 * The read-back of /updates (bench/check/updates.ts): every row a server answers must be stored
 * with that number. A small HTTP server plays the server under test, a stub the database.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkUpdatesPersisted } from '../../bench/check/updates.ts';
import { findScenario } from '../../bench/plan/scenarios.ts';
import type { RunDatabase } from '../../bench/run/database.ts';

const answered = [
  { id: 3, randomNumber: 30 },
  { id: 7, randomNumber: 70 },
];

function storing(rows: Record<number, number>): RunDatabase {
  return {
    pid: null,
    serveArgs: [],
    description: {},
    cache: 'in-process',
    cachePid: null,
    serverConnections: async () => 0,
    worlds: async (ids) => ids.flatMap((id) => (rows[id] === undefined ? [] : [{ id, randomNumber: rows[id] }])),
    stop: async () => {},
  };
}

describe('updates read back from the database', () => {
  let server: Server;
  let url = '';
  let body = JSON.stringify(answered);
  before(async () => {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  const scenario = findScenario('updates')!;

  it('passes when every answered row is stored as answered', async () => {
    assert.deepEqual(await checkUpdatesPersisted(url, scenario, storing({ 3: 30, 7: 70 }), 5000), []);
  });

  it('names the rows the database does not hold', async () => {
    const [problem, ...more] = await checkUpdatesPersisted(url, scenario, storing({ 3: 30, 7: 71 }), 5000);
    assert.equal(more.length, 0);
    assert.match(problem ?? '', /1 of 2 updates not in the database \(World 7 answered 70, stored 71\)/);
  });

  it('says so when the answer is not JSON', async () => {
    body = 'not json';
    assert.match((await checkUpdatesPersisted(url, scenario, storing({}), 5000)).join(), /not JSON/);
    body = JSON.stringify(answered);
  });
});

/** The node-http peer over a real socket with fetch: it serves the same application. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkResponse, exchanges, type ResponseHeaders } from '../../servers/app/exchanges.ts';
import { ensureDefaultSite } from '../../servers/app/site.ts';
import type { RunningServer } from '../../servers/cores/types.ts';
import { serverDefaults } from '../../servers/defaults.ts';
import { nodeHttpPeer } from '../../servers/peers/node-http.ts';

describe('node-http peer', () => {
  let server: RunningServer;
  const uploadDir = mkdtempSync(join(tmpdir(), 'node-http-test-'));
  before(async () => {
    server = await nodeHttpPeer.start({ ...serverDefaults, root: ensureDefaultSite(), uploadDir });
  });
  after(async () => {
    await server.close();
    rmSync(uploadDir, { recursive: true, force: true });
  });

  for (const name of [
    'GET /hello',
    'GET /json',
    'POST /echo',
    'GET /static/16k',
    'Range bytes=0-99',
    'GET /private with demo:demo',
    'DELETE /hello gives 405',
  ]) {
    it(name, async () => {
      const exchange = exchanges.find((e) => e.name === name);
      assert.ok(exchange, name);
      const response = await fetch(server.url + exchange.path, {
        method: exchange.method,
        headers: exchange.headers,
        body: exchange.body,
      });
      const headers: ResponseHeaders = Object.fromEntries(response.headers);
      assert.deepEqual(
        checkResponse(exchange, response.status, headers, new Uint8Array(await response.arrayBuffer())),
        [],
      );
    });
  }

  it('close() resolves with an idle keep-alive connection open', async () => {
    const other = await nodeHttpPeer.start({ ...serverDefaults, root: ensureDefaultSite(), uploadDir });
    assert.equal((await fetch(`${other.url}/hello`)).status, 200);
    await other.close();
    await assert.rejects(fetch(`${other.url}/hello`));
  });
});

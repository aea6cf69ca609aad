/**
 * process-per-request starts no child for a client that left while its request waited for one of
 * the `maxChildren` slots: with one slot held by a slow request, five clients that send a slow
 * request and leave at once cost nothing, and the next client is answered as soon as the slot frees,
 * not after five more processes ran their 300 ms each.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { httpRequest, startServer } from './helpers.ts';
import type { TestServer } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startServer('process-per-request', { maxChildren: 1 });
});
after(() => server.close());

/** Send a request and close the connection at once, without waiting for its answer. */
function sendAndLeave(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, server.host, () => {
      socket.end(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, () => {
        socket.destroy();
        resolve();
      });
    });
    socket.on('error', reject);
  });
}

describe('process-per-request and clients that leave', () => {
  it('starts no child for a request whose client left while it waited for a slot', async () => {
    const holding = httpRequest(server, '/io?ms=300');
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 5; i++) await sendAndLeave('/io?ms=300');
    const began = performance.now();
    const next = await httpRequest(server, '/hello');
    const waitedMs = performance.now() - began;
    assert.equal(next.status, 200);
    assert.equal((await holding).status, 200);
    // Served after the one holding the slot, not after five more children of 300 ms (over 1.5 s).
    assert.ok(waitedMs < 1_200, `the next client waited ${Math.round(waitedMs)} ms`);
  });
});

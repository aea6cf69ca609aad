/**
 * process-per-request caps the children running at once (`maxChildren`), as
 * inetd's per-service instance limit or Apache's MaxRequestWorkers: a flood of
 * slow requests makes at most that many processes, the rest wait in the parent,
 * and every request still gets a fresh process of its own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { childrenOf, httpRequest, servedBy, startServer, type TestServer } from './helpers.ts';

describe('process-per-request: at most maxChildren children at once', () => {
  const cap = 3;
  let server: TestServer;
  before(async () => {
    // A short drain: close() cuts the flood's connections instead of waiting for 5 s waits.
    server = await startServer('process-per-request', { maxChildren: cap, drainTimeoutMs: 300 });
  });
  after(() => server.close());

  it('200 concurrent /io?ms=5000 never make more than the cap of live children', async () => {
    const flood = Array.from({ length: 200 }, () => httpRequest(server, '/io?ms=5000').catch(() => undefined));
    let most = 0;
    const until = performance.now() + 1_500;
    while (performance.now() < until) {
      most = Math.max(most, childrenOf('process-per-request-child').length);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok(most <= cap, `${most} children at once, cap ${cap}`);
    assert.ok(most >= 1, 'the flood started children');
    // Closing cuts the waiting connections: none of them starts a child, and every child is gone.
    await server.close();
    await Promise.all(flood);
    assert.deepEqual(childrenOf('process-per-request-child'), []);
    server = await startServer('process-per-request', { maxChildren: cap });
  });

  it('requests over the cap wait for a slot, then each runs in a process of its own', async () => {
    const two = await startServer('process-per-request', { maxChildren: 2 });
    try {
      const start = performance.now();
      const responses = await Promise.all(Array.from({ length: 4 }, () => httpRequest(two, '/io?ms=400')));
      const took = performance.now() - start;
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 200, 200, 200],
      );
      // Two at a time: the second pair starts when the first ends, so 4 × 400 ms take at least 800 ms.
      assert.ok(took >= 800, `took ${took.toFixed(0)} ms`);
      const pids = responses.map((r) => servedBy(r.headers['x-served-by'] as string).pid);
      assert.equal(new Set(pids).size, 4);
    } finally {
      await two.close();
    }
  });
});

/**
 * Each model is what its name says. These tests would fail if a core cheated:
 * a "blocking" core that served two connections at once, a "process per
 * request" core that reused a process, a "worker pool" that ran handlers on the
 * main thread. Timings here are lower bounds or wide margins: noise on a shared
 * machine can only make the blocking bound easier, never fail it.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { childrenOf, httpRequest, processAlive, servedBy, startServer, type TestServer } from './helpers.ts';

const twoWaits = async (server: TestServer): Promise<number> => {
  const start = performance.now();
  const responses = await Promise.all([httpRequest(server, '/io?ms=300'), httpRequest(server, '/io?ms=300')]);
  assert.deepEqual(
    responses.map((r) => r.status),
    [200, 200],
  );
  return performance.now() - start;
};

/** Send a request head in two parts on one connection; returns a function that completes it. */
function openHalfRequest(server: TestServer): Promise<{ finish(): Promise<string> }> {
  return new Promise((resolve) => {
    const socket = connect({ host: server.host, port: server.port }, () => {
      socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
      resolve({
        finish() {
          const chunks: Buffer[] = [];
          socket.on('data', (chunk: Buffer) => chunks.push(chunk));
          socket.write('Connection: close\r\n\r\n');
          return new Promise((done) => socket.on('close', () => done(Buffer.concat(chunks).toString('latin1'))));
        },
      });
    });
  });
}

describe('blocking: one connection at a time', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('blocking');
  });
  after(() => server.close());

  it('two concurrent /io?ms=300 take at least 600 ms in total', async () => {
    assert.ok((await twoWaits(server)) >= 600);
  });

  it('does not read a second connection while the first is open', async () => {
    const first = await openHalfRequest(server);
    const order: string[] = [];
    const second = httpRequest(server, '/hello').then((r) => order.push(`second ${r.status}`));
    // However long we let the second wait, it is not answered while the first is open.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(order.length, 0, 'the second connection is not answered while the first is open');
    const text = await first.finish();
    order.push(`first ${/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]}`);
    await second;
    assert.deepEqual(order, ['first 200', 'second 200']);
  });
});

describe('event-loop: every connection at once on one thread', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('event-loop');
  });
  after(() => server.close());

  it('two concurrent /io?ms=300 overlap: well under 600 ms in total', async () => {
    assert.ok((await twoWaits(server)) < 550);
  });

  it('serves a second connection while the first is still sending its head, on the main thread', async () => {
    const first = await openHalfRequest(server);
    const response = await httpRequest(server, '/hello');
    assert.equal(response.status, 200);
    assert.deepEqual(servedBy(response.headers['x-served-by'] as string), { pid: process.pid, threadId: 0 });
    assert.match(await first.finish(), /^HTTP\/1\.1 200/);
  });
});

describe('process-per-request: a new process for every request', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('process-per-request');
  });
  after(() => server.close());

  it('answers consecutive requests from different processes, each gone after its response', async () => {
    const pids: number[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await httpRequest(server, '/hello');
      assert.equal(response.status, 200);
      const { pid } = servedBy(response.headers['x-served-by'] as string);
      assert.notEqual(pid, process.pid);
      assert.ok(!processAlive(pid), `process ${pid} exited after its response`);
      pids.push(pid);
    }
    assert.equal(new Set(pids).size, 3);
  });

  it('answers 502 when its child crashes, and goes on', async () => {
    const pending = httpRequest(server, '/io?ms=5000');
    let victims: number[] = [];
    while (victims.length === 0) {
      await new Promise((r) => setImmediate(r));
      victims = childrenOf('process-per-request-child');
    }
    for (const pid of victims) process.kill(pid, 'SIGKILL');
    assert.equal((await pending).status, 502);
    assert.equal((await httpRequest(server, '/hello')).status, 200);
  });
});

describe('worker-pool: handlers run in worker threads', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('worker-pool', { threads: 2, maxQueue: 1 });
  });
  after(() => server.close());

  it('runs the handler off the main thread, in this process', async () => {
    const response = await httpRequest(server, '/hello');
    const { pid, threadId } = servedBy(response.headers['x-served-by'] as string);
    assert.equal(pid, process.pid);
    assert.notEqual(threadId, 0);
  });

  it('gives two concurrent /cpu requests to two workers', async () => {
    // Long enough (~150 ms alone) that the first is still running when the second arrives.
    let units = 1;
    let alone = 0;
    while (alone < 150) {
      units *= 2;
      const start = performance.now();
      assert.equal((await httpRequest(server, `/cpu?units=${units}`)).status, 200);
      alone = performance.now() - start;
    }
    const pair = await Promise.all([
      httpRequest(server, `/cpu?units=${units}`),
      httpRequest(server, `/cpu?units=${units}`),
    ]);
    const threads = pair.map((r) => servedBy(r.headers['x-served-by'] as string).threadId);
    assert.notEqual(threads[0], threads[1], 'two workers');
    // How much faster the pair runs on two CPUs is a timing, which a loaded machine moves: the
    // benchmark measures it (finding 3, reports/findings/cpu-parallelism.ts), not this test.
  });

  it('answers 503 with Retry-After when its queue is full', async () => {
    // 2 workers hold 16 tasks each and 1 may queue: of 48 concurrent waits, 15 are shed.
    const responses = await Promise.all(Array.from({ length: 48 }, () => httpRequest(server, '/io?ms=400')));
    const shed = responses.filter((r) => r.status === 503);
    assert.ok(shed.length >= 1, `statuses: ${responses.map((r) => r.status).join(' ')}`);
    assert.ok(shed.every((r) => r.headers['retry-after'] === '1'));
    assert.equal(responses.filter((r) => r.status === 200).length + shed.length, 48);
    assert.ok(responses.filter((r) => r.status === 200).length >= 33);
  });
});

describe('worker-pool: a crashed worker', () => {
  const fixture = fileURLToPath(new URL('./fixtures/crashing-worker.ts', import.meta.url));
  let target: TestServer;
  before(async () => {
    target = await startServer('worker-pool', { threads: 2, inject: { workerEntry: fixture } });
  });
  after(() => target.close());

  it('gives its request a 500, and the pool recovers', async () => {
    assert.equal((await httpRequest(target, '/__crash')).status, 500);
    const after = await Promise.all(Array.from({ length: 4 }, () => httpRequest(target, '/hello')));
    assert.deepEqual(
      after.map((r) => r.status),
      [200, 200, 200, 200],
    );
  });
});

describe('prefork: a pool of event-loop processes on one socket', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('prefork', { threads: 2 });
  });
  after(() => server.close());

  it('answers from several worker processes, none of them this one, and replaces a crashed worker', async () => {
    const pidsOf = async (): Promise<Set<number>> => {
      // A timeout, because a connection the primary hands to a worker at the instant it is
      // killed stays with the primary, unanswered (node:cluster's round-robin hand-off).
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => httpRequest(server, '/hello', { timeoutMs: 2_000 })),
      );
      const answered = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      assert.ok(answered.every((r) => r.status === 200));
      return new Set(answered.map((r) => servedBy(r.headers['x-served-by'] as string).pid));
    };
    const pids = await pidsOf();
    assert.equal(pids.size, 2, `two workers answer (round-robin): ${[...pids].join(' ')}`);
    assert.ok(!pids.has(process.pid));
    const [victim] = pids;
    process.kill(victim!, 'SIGKILL');
    // The pool goes on with the survivor and forks a replacement; ask until both answer.
    let now = await pidsOf();
    while (now.size < 2 || now.has(victim!)) now = await pidsOf();
    assert.ok(!now.has(process.pid));
  });
});

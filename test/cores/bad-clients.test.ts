/**
 * Clients that misbehave on purpose, over raw sockets, on every model that
 * uses the shared driver: one that pipelines large responses and never reads
 * them, one whose body never comes, one that sends blank lines forever, and
 * one that waits for `100 Continue` before it sends its body. Each test is
 * bounded by small timeouts given through the options, never by long sleeps.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { defaultLimits } from '../../servers/protocol/types.ts';
import {
  childrenOf,
  httpRequest,
  rawExchange,
  runnableModels,
  splitResponses,
  startServer,
  type TestServer,
} from './helpers.ts';

/** Resident memory of these processes, in bytes (VmRSS of /proc/<pid>/status). */
function residentBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    total += Number(match?.[1] ?? 0) * 1024;
  }
  return total;
}

const MiB = 1024 * 1024;
const run = promisify(execFile);

for (const model of runnableModels) {
  describe(`${model}: a client that pipelines 1500 GET /static/1M and never reads`, () => {
    it('builds only the responses the socket buffers hold, and stays within 64 MiB more resident memory', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'server-models-unread-'));
      // The access log counts the responses the server built and wrote.
      const log = join(dir, 'access.log');
      const server = await startServer(model, { threads: 1, accessLog: log });
      try {
        // Where the responses are built and buffered: this process, or the prefork worker.
        const serverPids = (): number[] => (model === 'prefork' ? childrenOf('prefork-worker') : [process.pid]);
        const baseline = residentBytes(serverPids());
        const socket = connect({ host: server.host, port: server.port });
        socket.on('error', () => {});
        socket.pause(); // never read: the responses pile up on the server's side
        await new Promise((resolve) => socket.once('connect', resolve));
        socket.write('GET /static/1M HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1_500));
        // Sampled until 3 s have passed, and once more after: the blocking server runs in this
        // thread, so a burst of its work can hold the sampler past the deadline.
        let peak = baseline;
        const until = performance.now() + 3_000;
        do {
          await new Promise((resolve) => setTimeout(resolve, 50));
          peak = Math.max(peak, residentBytes(serverPids()));
        } while (performance.now() < until);
        socket.destroy();
        const grown = (peak - baseline) / MiB;
        assert.ok(grown <= 64, `resident memory grew by ${grown.toFixed(0)} MiB`);
      } finally {
        await server.close();
      }
      // Counted once the server is closed, so that every writer has written its lines.
      const built = readFileSync(log, 'utf8').split('\n').length - 1;
      rmSync(dir, { recursive: true, force: true });
      // What the kernel's socket buffers on both sides hold (Linux lets loopback grow them to 4 and
      // 6 MiB), and the one in our buffer. Measured: 4 with backpressure; without it, 29 (the
      // children's start-up is slow) to 1,500 in these 3 s.
      assert.ok(built <= 16, `${built} responses of 1 MiB built for a client that read none`);
    });
  });
}

describe('blocking: a client that reads none of its responses holds the server only until the send timeout', () => {
  it('is cut after sendTimeoutMs, and the next connection is served', async () => {
    const server = await startServer('blocking', { sendTimeoutMs: 300 });
    try {
      const greedy = connect({ host: server.host, port: server.port });
      greedy.on('error', () => {});
      greedy.pause();
      await new Promise((resolve) => greedy.once('connect', resolve));
      greedy.write('GET /static/1M HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(100));
      // One connection at a time: this one is answered only once the greedy one is gone.
      const start = performance.now();
      const response = await httpRequest(server, '/hello', { timeoutMs: 5_000 });
      assert.equal(response.status, 200);
      assert.ok(performance.now() - start >= 300, 'not before the send timeout');
      greedy.destroy();
    } finally {
      await server.close();
    }
  });
});

for (const model of runnableModels) {
  describe(`${model}: requests whose bytes stop coming`, () => {
    let server: TestServer;
    before(async () => {
      // Small timeouts, so that each case takes well under a second; at 1,000 bytes/s a byte earns 1 ms.
      server = await startServer(model, {
        keepAliveTimeoutMs: 300,
        headersTimeoutMs: 300,
        requestTimeoutMs: 300,
        minRequestBytesPerSecond: 1_000,
      });
    });
    after(() => server.close());

    it('a body that never comes: 408, closed within the request timeout', async () => {
      const start = performance.now();
      const result = await rawExchange(server, 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n');
      const took = performance.now() - start;
      assert.equal(splitResponses(result.bytes)[0]?.status, 408);
      assert.ok(result.closedByServer);
      assert.ok(took < 1_500, `closed after ${took.toFixed(0)} ms`);
    });

    it('a body that trickles below the minimum rate: 408 before it is complete', async () => {
      // 10 bytes/s against a minimum of 1,000: the 300 ms run out long before the 100th byte.
      const body = Array.from({ length: 100 }, () => 'x');
      const result = await rawExchange(
        server,
        ['POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n', ...body],
        {
          gapMs: 100,
        },
      );
      assert.equal(splitResponses(result.bytes)[0]?.status, 408);
      assert.ok(result.closedByServer);
    });

    it('blank lines every 100 ms do not keep the connection open: closed within the head timeout', async () => {
      const start = performance.now();
      const result = await rawExchange(
        server,
        Array.from({ length: 30 }, () => '\r\n'),
        { gapMs: 100 },
      );
      const took = performance.now() - start;
      assert.ok(result.closedByServer);
      // Each blank line used to restart the keep-alive timer: the server closed only after the last.
      assert.ok(took < 1_500, `closed after ${took.toFixed(0)} ms of blank lines`);
    });
  });
}

describe('a body that keeps up the minimum rate earns the time it needs', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('event-loop', { requestTimeoutMs: 300, minRequestBytesPerSecond: 10 });
  });
  after(() => server.close());

  it('5 × 20 bytes, 150 ms apart (750 ms in all), is answered', async () => {
    const chunks = Array.from({ length: 5 }, (_, i) => String(i).repeat(20));
    const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nConnection: close\r\n\r\n';
    const result = await rawExchange(server, [head, ...chunks], { gapMs: 150 });
    const [response] = splitResponses(result.bytes);
    assert.equal(response?.status, 200);
    assert.equal(response?.body.toString(), chunks.join(''));
  });
});

/** Open a connection, send `head`, and resolve with what arrives within `ms` (the socket stays open). */
async function sendHead(server: TestServer, head: string, ms: number) {
  const socket = connect({ host: server.host, port: server.port });
  socket.on('error', () => {});
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  let ended = false;
  socket.on('end', () => {
    ended = true;
  });
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(head);
  // Waits for the first bytes, or for `ms`, whichever comes first: a readiness probe, not a sleep.
  await Promise.race([
    new Promise((resolve) => socket.once('data', resolve)),
    new Promise((resolve) => setTimeout(resolve, ms)),
  ]);
  return { socket, received, ended: () => ended };
}

for (const model of runnableModels) {
  describe(`${model}: Expect: 100-continue`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(model, { limits: { ...defaultLimits, maxBodyBytes: 1_024 } });
    });
    after(() => server.close());

    it('answers 100 Continue before the body, then the request once the body comes', async () => {
      const body = 'x'.repeat(1_000);
      const head =
        'POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n' +
        `Content-Length: ${body.length}\r\n\r\n`;
      // A client that waits for the 100 before it sends its body, as curl does.
      const { socket, received } = await sendHead(server, head, 3_000);
      assert.equal(Buffer.concat(received).toString('latin1'), 'HTTP/1.1 100 Continue\r\n\r\n');
      received.length = 0;
      const ended = new Promise((resolve) => socket.once('end', resolve));
      // Written, not ended: the server closes after its answer (Connection: close).
      socket.write(body);
      await ended;
      const [response, ...more] = splitResponses(Buffer.concat(received));
      assert.equal(response?.status, 200);
      assert.equal(response?.body.toString(), body);
      assert.equal(more.length, 0);
    });

    it('answers 413 and no 100 when the declared body is over the limit', async () => {
      const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2000\r\n\r\n';
      const result = await rawExchange(server, head);
      assert.doesNotMatch(result.text, /100 Continue/);
      assert.equal(splitResponses(result.bytes)[0]?.status, 413);
      assert.ok(result.closedByServer);
    });

    it('answers 417 and closes, body unread, to an expectation it cannot meet', async () => {
      const head = 'POST /echo HTTP/1.1\r\nHost: x\r\nExpect: tea\r\nContent-Length: 10\r\n\r\n';
      const result = await rawExchange(server, head);
      assert.doesNotMatch(result.text, /100 Continue/);
      assert.equal(splitResponses(result.bytes)[0]?.status, 417);
      assert.ok(result.closedByServer);
    });

    it('answers 417 to a complete request with an unknown expectation, and keeps the connection', async () => {
      const result = await rawExchange(
        server,
        'GET /hello HTTP/1.1\r\nHost: x\r\nExpect: tea\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      );
      assert.deepEqual(
        splitResponses(result.bytes).map((r) => r.status),
        [417, 200],
      );
    });
  });
}

describe('curl -T of 2 MiB with Expect: 100-continue', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('event-loop');
  });
  after(() => server.close());

  it('is answered without waiting out curl’s expect timeout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-models-upload-body-'));
    try {
      const file = join(dir, 'body');
      writeFileSync(file, Buffer.alloc(2 * MiB, 0x61));
      // curl waits this long for the 100 before it sends anyway: 10 s, past --max-time, so that
      // a server that never answers 100 fails the request instead of passing a second later.
      const { stdout } = await run('curl', [
        ...['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_upload}', '--max-time', '5'],
        ...['--expect100-timeout', '10', '-X', 'POST', '-T', file, `${server.url}/echo`],
      ]);
      assert.equal(stdout, `200 ${2 * MiB}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

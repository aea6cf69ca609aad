/**
 * Large static files over sockets, on every model: a sparse file of 3 GiB (no
 * disk used but for a written tail) sent by ranges with the right bytes, a HEAD
 * of it at once with nothing read, and a whole GET whose client never reads, then
 * reads slowly, with the server's resident memory bounded (VmRSS of the server's
 * processes) and other clients served meanwhile (but on the blocking model, which
 * serves one connection at a time: it is busy until the send timeout cuts the
 * greedy client, its memory bounded all the same). A file truncated while it is
 * sent cuts the connection short of its Content-Length. And sendFile itself: a
 * file gone or changed since the application's stat is answered 404 or 503.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  ftruncateSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FileBody, FileResponse } from '../../servers/app/file-body.ts';
import { chunkBytes, sendFile } from '../../servers/cores/file-stream.ts';
import type { HttpRequest } from '../../servers/protocol/types.ts';
import {
  childrenOf,
  httpRequest,
  rawExchange,
  runnableModels,
  splitResponses,
  startServer,
  type TestServer,
} from './helpers.ts';

const MiB = 1024 * 1024;
/** The most the server's resident memory may grow while a client holds a 3 GiB GET (measured: see docs/protocol.md). */
const boundMiB = 32;
const bigSize = 3 * 1024 ** 3 + 5;
const tail = randomBytes(3 * MiB);
const root = mkdtempSync(join(tmpdir(), 'file-stream-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
/** A sparse file of `size` bytes (no block written), with `end` written at its end. */
function sparse(name: string, size: number, end?: Buffer): string {
  const path = join(root, name);
  const fd = openSync(path, 'w');
  ftruncateSync(fd, size);
  if (end) writeSync(fd, end, 0, end.length, size - end.length);
  closeSync(fd);
  return path;
}
sparse('big.bin', bigSize, tail);

/** Resident memory of these processes, in bytes (VmRSS of /proc/<pid>/status). */
function residentBytes(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    total += Number(match?.[1] ?? 0) * 1024;
  }
  return total;
}

/** Bytes these processes have read from files and sockets (rchar of /proc/<pid>/io). */
function bytesRead(pids: number[]): number {
  let total = 0;
  for (const pid of pids) total += Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  return total;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A raw connection that has sent `request` and reads only when told to; it keeps the first
 * 64 KiB it receives (the head) and counts the rest.
 */
async function holdingClient(
  server: TestServer,
  request: string,
): Promise<{ socket: Socket; received: () => Buffer; count: () => number }> {
  const socket = connect({ host: server.host, port: server.port });
  socket.on('error', () => {});
  const kept: Buffer[] = [];
  let count = 0;
  socket.on('data', (chunk: Buffer) => {
    if (count < 64 * 1024) kept.push(chunk);
    count += chunk.length;
  });
  socket.pause();
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(request);
  return { socket, received: () => Buffer.concat(kept), count: () => count };
}

for (const model of runnableModels) {
  describe(`${model}: a 3 GiB static file over a socket`, () => {
    const sendTimeoutMs = 2_000;
    let server: TestServer;
    // Where the responses are sent from: this process (the worker pool's threads, a
    // process-per-request parent), or the prefork workers.
    const serverPids = (): number[] => (model === 'prefork' ? childrenOf('prefork-worker') : [process.pid]);
    before(async () => {
      server = await startServer(model, { root, sendTimeoutMs, threads: 1 });
    });
    after(() => server.close());

    it('sends a range near its end, past 3 GiB, with the right bytes, and the connection goes on', async () => {
      const from = bigSize - tail.length;
      const response = await httpRequest(server, '/static/big.bin', {
        headers: { Range: `bytes=${from}-` },
        timeoutMs: 20_000,
      });
      assert.equal(response.status, 206);
      assert.equal(response.headers['content-range'], `bytes ${from}-${bigSize - 1}/${bigSize}`);
      assert.equal(response.headers['content-length'], String(tail.length));
      assert.ok(response.body.equals(tail), 'the bytes of the range');
      // Streamed, then the next pipelined request on the same connection.
      const raw = await rawExchange(
        server,
        `GET /static/big.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=-${2 * MiB}\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        { waitMs: 20_000 },
      );
      const [first, second] = splitResponses(raw.bytes);
      assert.equal(first?.status, 206);
      assert.ok(first?.body.equals(tail.subarray(tail.length - 2 * MiB)), 'the pipelined range');
      assert.equal(second?.status, 200);
      assert.ok(raw.closedByServer);
      // HTTP/1.0: the body, then the close.
      const old = await rawExchange(server, `GET /static/big.bin HTTP/1.0\r\nRange: bytes=-${2 * MiB}\r\n\r\n`, {
        waitMs: 20_000,
      });
      assert.ok(old.closedByServer);
      assert.ok(splitResponses(old.bytes)[0]?.body.equals(tail.subarray(tail.length - 2 * MiB)), 'the HTTP/1.0 range');
    });

    it('answers HEAD at once with its length, reading nothing', async () => {
      const readBefore = bytesRead(serverPids());
      const start = performance.now();
      const response = await httpRequest(server, '/static/big.bin', { method: 'HEAD', timeoutMs: 10_000 });
      const ms = performance.now() - start;
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-length'], String(bigSize));
      assert.equal(response.body.length, 0);
      // Generous for a loaded 2-core machine; reading 3 GiB took 5.3 s before streaming.
      assert.ok(ms < 2_000, `HEAD took ${ms.toFixed(0)} ms`);
      // Of this process (or the prefork workers): a process-per-request child's own reads are
      // counted by the application's tests (test/app/large-files.test.ts).
      const read = bytesRead(serverPids()) - readBefore;
      assert.ok(read < MiB, `${read} bytes read for a HEAD`);
    });

    it(`holds a client that never reads, then reads slowly, within ${boundMiB} MiB more resident memory`, async () => {
      const baseline = residentBytes(serverPids());
      let peak = baseline;
      const greedy = await holdingClient(server, 'GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
      try {
        // Another client meanwhile: answered at once, but by the blocking model, which serves one
        // connection at a time and so answers it once the send timeout has cut the greedy one.
        const start = performance.now();
        const other = httpRequest(server, '/hello', { timeoutMs: 10_000 }).then((response) => ({
          status: response.status,
          ms: performance.now() - start,
        }));
        for (const until = performance.now() + 1_000; performance.now() < until; ) {
          await sleep(50);
          peak = Math.max(peak, residentBytes(serverPids()));
        }
        if (model !== 'blocking') {
          const { status, ms } = await other;
          assert.equal(status, 200);
          assert.ok(ms < 1_000, `/hello took ${ms.toFixed(0)} ms beside the greedy client`);
        }
        // Now read slowly: 64 KiB every 20 ms, for a second.
        for (const until = performance.now() + 1_000; performance.now() < until; ) {
          greedy.socket.read(chunkBytes);
          await sleep(20);
          peak = Math.max(peak, residentBytes(serverPids()));
        }
        const head = greedy.received().toString('latin1', 0, 400);
        assert.match(head, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(head, new RegExp(`\r\nContent-Length: ${bigSize}\r\n`));
        if (model === 'blocking') {
          // Busy with the greedy client, then cut it once it took nothing for the send timeout.
          greedy.socket.pause();
          const { status, ms } = await other;
          assert.equal(status, 200);
          assert.ok(ms >= 1_000, `/hello answered after ${ms.toFixed(0)} ms, while the greedy client was served`);
        }
      } finally {
        greedy.socket.destroy();
      }
      const grown = (peak - baseline) / MiB;
      assert.ok(grown <= boundMiB, `resident memory grew by ${grown.toFixed(1)} MiB`);
    });

    it('cuts the connection when the file is truncated while it is sent, and serves the next client', async () => {
      const size = 256 * MiB;
      const path = sparse(`truncated-${model}.bin`, size);
      const client = await holdingClient(server, `GET /static/truncated-${model}.bin HTTP/1.1\r\nHost: x\r\n\r\n`);
      const closed = new Promise((resolve) => client.socket.once('close', resolve));
      // Once the head and the first bytes have come, the file shrinks under the stream.
      while (client.socket.readableLength === 0) await sleep(5);
      truncateSync(path, MiB);
      client.socket.resume();
      await Promise.race([closed, sleep(10_000)]);
      assert.ok(client.socket.destroyed || client.socket.readableEnded, 'the connection was cut');
      const head = client.received();
      const body = client.count() - (head.indexOf('\r\n\r\n') + 4);
      assert.ok(head.toString('latin1', 0, 300).includes(`Content-Length: ${size}`), head.toString('latin1', 0, 300));
      assert.ok(body < size, `${body} of ${size} bytes, then the cut`);
      assert.equal((await httpRequest(server, '/hello', { timeoutMs: 10_000 })).status, 200);
    });
  });
}

for (const model of ['blocking', 'event-loop']) {
  describe(`${model}: close() while a client that reads nothing holds a 3 GiB GET`, () => {
    it('resolves once the drain timeout has cut it', async () => {
      const server = await startServer(model, { root, drainTimeoutMs: 500 });
      const greedy = await holdingClient(server, 'GET /static/big.bin HTTP/1.1\r\nHost: x\r\n\r\n');
      try {
        while (greedy.socket.readableLength === 0) await sleep(5);
        const start = performance.now();
        await server.close();
        const ms = performance.now() - start;
        assert.ok(ms >= 400 && ms < 5_000, `close() took ${ms.toFixed(0)} ms`);
      } finally {
        greedy.socket.destroy();
      }
    });
  });
}

describe('sendFile', () => {
  const request = (method: string): HttpRequest => ({
    method,
    target: '/',
    path: '/',
    query: '',
    versionMajor: 1,
    versionMinor: 1,
    headers: [],
    trailers: [],
    body: new Uint8Array(0),
    keepAlive: true,
    upgrade: false,
  });
  const path = join(root, 'small.bin');
  const bytes = randomBytes(200 * 1024);
  before(() => {
    const fd = openSync(path, 'w');
    writeSync(fd, bytes);
    closeSync(fd);
  });
  const described = (): FileBody => {
    const s = statSync(path);
    return { kind: 'file', path, start: 10, end: bytes.length, size: s.size, mtimeMs: s.mtimeMs, io: 'async' };
  };

  /** What a client receives when `sendFile` answers `method` with `file` on a fresh connection. */
  function exchange(method: string, file: FileBody): Promise<{ sent: boolean; done: boolean; bytes: Buffer }> {
    return new Promise((resolve) => {
      let sent = false;
      let done = false;
      const server = createServer((socket) => {
        const response: FileResponse = {
          status: 200,
          headers: [['Content-Length', String(file.end - file.start)]],
          body: '',
          file,
        };
        const context = { method, keepAlive: false, versionMinor: 1 };
        const owner = { settings: { sendTimeoutMs: 2_000 }, log: undefined };
        sent = sendFile(socket, request(method), response, context, owner, () => {
          done = true;
          socket.end();
        });
        if (!sent) socket.end('not sent');
      });
      server.listen(0, '127.0.0.1', () => {
        const address = server.address() as { port: number };
        const client = connect({ host: '127.0.0.1', port: address.port });
        const chunks: Buffer[] = [];
        client.on('data', (chunk: Buffer) => chunks.push(chunk));
        client.on('close', () => {
          server.close();
          resolve({ sent, done, bytes: Buffer.concat(chunks) });
        });
      });
    });
  }
  const bodyOf = (bytes: Buffer): Buffer => bytes.subarray(bytes.indexOf('\r\n\r\n') + 4);

  it('sends the head and then bytes [start, end) of the file, in more than one chunk', async () => {
    const { sent, done, bytes: got } = await exchange('GET', described());
    assert.ok(sent && done);
    assert.match(got.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(bodyOf(got).equals(bytes.subarray(10)), 'the range');
    assert.ok(bytes.length - 10 > chunkBytes);
  });

  it('takes nothing for a HEAD: the driver writes its head as any response', async () => {
    assert.equal((await exchange('HEAD', described())).sent, false);
  });

  it('answers 404 for a file removed since the stat, 503 for one changed since', async () => {
    const gone = await exchange('GET', { ...described(), path: join(root, 'no-such-file') });
    assert.match(gone.bytes.toString('latin1'), /^HTTP\/1\.1 404 /);
    const changed = await exchange('GET', { ...described(), mtimeMs: 1 });
    assert.match(changed.bytes.toString('latin1'), /^HTTP\/1\.1 503 /);
    assert.match(changed.bytes.toString('latin1'), /\r\nRetry-After: 1\r\n/);
    const sync = await exchange('GET', { ...described(), io: 'sync' });
    assert.ok(bodyOf(sync.bytes).equals(bytes.subarray(10)), 'the range, read synchronously');
  });
});

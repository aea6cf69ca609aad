/**
 * Static files larger than memory should hold: a sparse file of 3 GiB (no disk
 * used) served by HEAD without a read, by ranges reading only the range, and a
 * whole GET refused before it reads, over the bound of a body held in memory
 * (64 MiB by default).
 */
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import type { AppIO } from '../../servers/app/io.ts';
import { syncIO } from '../../servers/app/sync-io.ts';
import type { HeaderList, HttpRequest, HttpResponse } from '../../servers/protocol/types.ts';
import { httpRequest, startServer, type TestServer } from '../cores/helpers.ts';

const bigSize = 3 * 1024 ** 3 + 5;
const root = mkdtempSync(join(tmpdir(), 'large-files-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
// A sparse file: its size is set, no block is written.
const fd = openSync(join(root, 'big.bin'), 'w');
ftruncateSync(fd, bigSize);
closeSync(fd);
writeFileSync(join(root, 'small.txt'), 'x'.repeat(2000));

function request(method: string, target: string, headers: HeaderList = []): HttpRequest {
  return {
    method,
    target,
    path: target,
    query: '',
    versionMajor: 1,
    versionMinor: 1,
    headers: [['Host', 'test'], ...headers],
    trailers: [],
    body: new Uint8Array(0),
    keepAlive: true,
    upgrade: false,
  };
}
const header = (response: HttpResponse, name: string): string | undefined =>
  response.headers.find(([n]) => n.toLowerCase() === name)?.[1];

for (const base of [syncIO, asyncIO] satisfies AppIO[]) {
  describe(`large static files with ${base.kind} I/O`, () => {
    /** Every read the application asks for, as [start, end) (undefined for a whole file). */
    const reads: Array<[number | undefined, number | undefined]> = [];
    const io: AppIO = {
      ...base,
      readFile(path, start, end) {
        reads.push([start, end]);
        return base.readFile(path, start, end);
      },
    };
    const config: AppConfig = {
      root,
      uploadDir: root,
      maxUploadBytes: 1024,
      credentials: { user: 'demo', password: 'demo' },
    };
    const call = (req: HttpRequest, on: AppConfig = config): Promise<HttpResponse> => handleRequest(req, io, on);

    it('answers HEAD of a 3 GiB file with its length, reading nothing', async () => {
      reads.length = 0;
      const response = await call(request('HEAD', '/static/big.bin'));
      assert.equal(response.status, 200);
      assert.equal(header(response, 'content-length'), String(bigSize));
      assert.equal(Buffer.from(response.body).length, 0);
      assert.deepEqual(reads, []);
    });

    it('answers HEAD with a range with the range length, reading nothing past the in-memory bound', async () => {
      reads.length = 0;
      const response = await call(request('HEAD', '/static/big.bin', [['Range', 'bytes=1-']]));
      assert.equal(response.status, 206);
      assert.equal(header(response, 'content-length'), String(bigSize - 1));
      assert.deepEqual(reads, []);
      // A small range is read for the HEAD as for the GET: its Content-Length is its body's.
      const small = await call(request('HEAD', '/static/big.bin', [['Range', 'bytes=-100']]));
      assert.equal(small.status, 206);
      assert.equal(Buffer.from(small.body).length, 100);
      assert.deepEqual(reads, [[bigSize - 100, bigSize]]);
    });

    it('reads only the range asked for, past 2 GiB', async () => {
      reads.length = 0;
      const response = await call(request('GET', '/static/big.bin', [['Range', `bytes=${bigSize - 77}-`]]));
      assert.equal(response.status, 206);
      assert.equal(header(response, 'content-range'), `bytes ${bigSize - 77}-${bigSize - 1}/${bigSize}`);
      assert.ok(Buffer.from(response.body).equals(Buffer.alloc(77)));
      assert.deepEqual(reads, [[bigSize - 77, bigSize]]);
    });

    it('refuses a whole body over the in-memory bound before reading it, naming no path, offering ranges', async () => {
      reads.length = 0;
      const response = await call(request('GET', '/static/big.bin'));
      assert.equal(response.status, 500);
      assert.equal(header(response, 'accept-ranges'), 'bytes');
      assert.ok(!Buffer.from(response.body).toString().includes(root));
      assert.deepEqual(reads, []);
      const bounded: AppConfig = { ...config, maxInMemoryBodyBytes: 1999 };
      assert.equal((await call(request('GET', '/static/small.txt'), bounded)).status, 500);
      assert.equal(
        (await call(request('GET', '/static/small.txt'), { ...bounded, maxInMemoryBodyBytes: 2000 })).status,
        200,
      );
      assert.equal((await call(request('GET', '/static/small.txt', [['Range', 'bytes=0-9']]), bounded)).status, 206);
    });
  });
}

for (const model of ['event-loop', 'process-per-request']) {
  describe(`${model}: HEAD of a 3 GiB file over a socket`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(model, { root });
    });
    after(() => server.close());

    it('gives the length and no body', async () => {
      const response = await httpRequest(server, '/static/big.bin', { method: 'HEAD', timeoutMs: 10_000 });
      assert.equal(response.status, 200);
      assert.equal(response.headers['content-length'], String(bigSize));
      assert.equal(response.body.length, 0);
    });
  });
}

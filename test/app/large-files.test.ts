/**
 * Static files larger than memory should hold, at the application: a sparse file
 * of 3 GiB (no disk used) served by HEAD without a read, by small ranges reading
 * only the range, and by a whole GET answered with the descriptor of its bytes
 * (over `maxInMemoryBodyBytes`, 1 MiB by default), which the side that holds the
 * socket streams (its tests: test/cores/file-stream.test.ts).
 */
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import type { FileBody, FileResponse } from '../../servers/app/file-body.ts';
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
const fileOf = (response: HttpResponse): FileBody | undefined => (response as Partial<FileResponse>).file;
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

    it('answers HEAD with a range with the range length, reading nothing, however small the range', async () => {
      reads.length = 0;
      const response = await call(request('HEAD', '/static/big.bin', [['Range', 'bytes=1-']]));
      assert.equal(response.status, 206);
      assert.equal(header(response, 'content-length'), String(bigSize - 1));
      const small = await call(request('HEAD', '/static/big.bin', [['Range', 'bytes=-100']]));
      assert.equal(small.status, 206);
      assert.equal(header(small, 'content-length'), '100');
      assert.equal(Buffer.from(small.body).length, 0);
      assert.equal(fileOf(small), undefined);
      assert.deepEqual(reads, []);
    });

    it('reads only the range asked for, past 2 GiB', async () => {
      reads.length = 0;
      const response = await call(request('GET', '/static/big.bin', [['Range', `bytes=${bigSize - 77}-`]]));
      assert.equal(response.status, 206);
      assert.equal(header(response, 'content-range'), `bytes ${bigSize - 77}-${bigSize - 1}/${bigSize}`);
      assert.ok(Buffer.from(response.body).equals(Buffer.alloc(77)));
      assert.deepEqual(reads, [[bigSize - 77, bigSize]]);
    });

    it('answers a whole GET over the in-memory bound with its descriptor and length, reading nothing', async () => {
      reads.length = 0;
      const response = await call(request('GET', '/static/big.bin'));
      assert.equal(response.status, 200);
      assert.equal(header(response, 'content-length'), String(bigSize));
      assert.equal(Buffer.from(response.body).length, 0);
      const file = fileOf(response);
      assert.deepEqual(file && { path: file.path, start: file.start, end: file.end, size: file.size, io: file.io }, {
        path: join(root, 'big.bin'),
        start: 0,
        end: bigSize,
        size: bigSize,
        io: base.kind,
      });
      assert.deepEqual(reads, []);
      // A range over the bound is a descriptor of that range.
      const range = await call(request('GET', '/static/big.bin', [['Range', 'bytes=1000-']]));
      assert.equal(range.status, 206);
      assert.deepEqual([fileOf(range)?.start, fileOf(range)?.end], [1000, bigSize]);
      assert.deepEqual(reads, []);
    });

    it('reads a body up to maxInMemoryBodyBytes, and answers a larger one with its descriptor', async () => {
      const bounded: AppConfig = { ...config, maxInMemoryBodyBytes: 1999 };
      const over = await call(request('GET', '/static/small.txt'), bounded);
      assert.equal(over.status, 200);
      assert.deepEqual([fileOf(over)?.start, fileOf(over)?.end], [0, 2000]);
      const within = await call(request('GET', '/static/small.txt'), { ...bounded, maxInMemoryBodyBytes: 2000 });
      assert.equal(within.status, 200);
      assert.equal(fileOf(within), undefined);
      assert.equal(Buffer.from(within.body).toString(), 'x'.repeat(2000));
      const range = await call(request('GET', '/static/small.txt', [['Range', 'bytes=0-9']]), bounded);
      assert.equal(range.status, 206);
      assert.equal(Buffer.from(range.body).toString(), 'x'.repeat(10));
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

/**
 * The application on its own: handleRequest called directly with the sync and the
 * async I/O (no sockets), over the exchanges table and the requests a standard
 * client cannot send.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { threadId } from 'node:worker_threads';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import { cpuDigest } from '../../servers/app/cpu.ts';
import { checkResponse, exchanges, type ResponseHeaders } from '../../servers/app/exchanges.ts';
import type { AppIO } from '../../servers/app/io.ts';
import { ensureDefaultSite, siteContents } from '../../servers/app/site.ts';
import { syncIO } from '../../servers/app/sync-io.ts';
import type { HeaderList, HttpRequest, HttpResponse } from '../../servers/protocol/types.ts';

const scratch = mkdtempSync(join(tmpdir(), 'app-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function request(
  method: string,
  target: string,
  headers: HeaderList = [],
  body: Uint8Array | string = '',
  version: [number, number] = [1, 1],
): HttpRequest {
  const q = target.indexOf('?');
  return {
    method,
    target,
    path: q < 0 ? target : target.slice(0, q),
    query: q < 0 ? '' : target.slice(q + 1),
    versionMajor: version[0],
    versionMinor: version[1],
    headers:
      version[1] === 1 && !headers.some(([n]) => n.toLowerCase() === 'host') ? [['Host', 'test'], ...headers] : headers,
    trailers: [],
    body: typeof body === 'string' ? Buffer.from(body) : body,
    keepAlive: true,
    upgrade: false,
  };
}

/** The response as a client sees it: lower-case header names, no body for HEAD/204/304. */
function asClient(method: string, response: HttpResponse): { status: number; headers: ResponseHeaders; body: Buffer } {
  const headers: ResponseHeaders = {};
  for (const [name, value] of response.headers) headers[name.toLowerCase()] = value;
  const body = Buffer.from(response.body);
  headers['content-length'] ??= String(body.length);
  // Stamped as the serializer stamps it, when the response is written: after the handler.
  headers.date ??= new Date(Math.floor(Date.now() / 1000) * 1000).toUTCString();
  const bodiless = method === 'HEAD' || response.status === 204 || response.status === 304;
  return { status: response.status, headers, body: bodiless ? Buffer.alloc(0) : body };
}

for (const io of [syncIO, asyncIO] satisfies AppIO[]) {
  describe(`the application with ${io.kind} I/O`, () => {
    const uploadDir = mkdtempSync(join(scratch, `uploads-${io.kind}-`));
    const config: AppConfig = {
      root: ensureDefaultSite(),
      uploadDir,
      maxUploadBytes: 4 * 1024 * 1024,
      credentials: { user: 'demo', password: 'demo' },
    };
    const call = (req: HttpRequest): Promise<HttpResponse> => handleRequest(req, io, config);

    for (const exchange of exchanges) {
      it(`exchange: ${exchange.name}`, async () => {
        const headers = Object.entries(exchange.headers ?? {}) as HeaderList;
        if (exchange.body !== undefined) headers.push(['Content-Length', String(exchange.body.length)]);
        const response = asClient(
          exchange.method,
          await call(request(exchange.method, exchange.path, headers, exchange.body ?? '')),
        );
        assert.deepEqual(checkResponse(exchange, response.status, response.headers, response.body), []);
      });
    }

    it('answers 400 to HTTP/1.1 without Host, and serves HTTP/1.0 without it', async () => {
      const bare = request('GET', '/hello');
      bare.headers = [];
      assert.equal((await call(bare)).status, 400);
      assert.equal((await call(request('GET', '/json', [], '', [1, 0]))).status, 200);
    });

    it('stamps every response with this process and thread', async () => {
      for (const target of ['/hello', '/json', '/nowhere', '/static/1k']) {
        const response = await call(request('GET', target));
        assert.deepEqual(
          response.headers.find(([n]) => n === 'X-Served-By'),
          ['X-Served-By', `${process.pid}/${threadId}`],
          target,
        );
      }
    });

    it('answers 411 to a PUT without framing', async () => {
      assert.equal((await call(request('PUT', '/upload/unframed.txt', [], 'x'))).status, 411);
    });

    it('answers /cpu with the digest a client can recompute, and refuses too many units', async () => {
      assert.equal(Buffer.from((await call(request('GET', '/cpu?units=7'))).body).toString(), cpuDigest(7));
      assert.equal((await call(request('GET', '/cpu?units=999999'))).status, 400);
      assert.notEqual(cpuDigest(7), cpuDigest(8));
    });

    it('waits on /io for the time asked', async () => {
      const start = performance.now();
      assert.equal((await call(request('GET', '/io?ms=30'))).status, 200);
      // A lower bound only: timers never fire early, so this cannot flake on a busy machine.
      assert.ok(performance.now() - start >= 29);
    });

    it('answers 304 to the ETag it gave, and a gzipped ETag to a gzip request', async () => {
      const first = await call(request('GET', '/static/style.css'));
      const etag = first.headers.find(([n]) => n === 'ETag')?.[1];
      assert.ok(etag);
      assert.equal((await call(request('GET', '/static/style.css', [['If-None-Match', etag]]))).status, 304);
      const gzipped = await call(request('GET', '/static/style.css', [['Accept-Encoding', 'gzip']]));
      const gzipEtag = gzipped.headers.find(([n]) => n === 'ETag')?.[1];
      assert.notEqual(gzipEtag, etag);
      assert.equal((await call(request('GET', '/static/style.css', [['If-None-Match', gzipEtag ?? '']]))).status, 304);
    });

    it('ignores a Range header with several ranges or bad syntax (full 200)', async () => {
      for (const range of ['bytes=0-1,5-6', 'bytes=abc', 'items=0-1', 'bytes=5-2']) {
        assert.equal((await call(request('GET', '/static/1k', [['Range', range]]))).status, 200, range);
      }
    });

    it('never serves a file through a symlink that leads out of the root', async () => {
      const root = mkdtempSync(join(scratch, `root-${io.kind}-`));
      mkdirSync(join(root, 'sub'));
      writeFileSync(join(root, 'sub', 'inside.txt'), 'inside');
      writeFileSync(join(scratch, `secret-${io.kind}.txt`), 'secret');
      symlinkSync(join(scratch, `secret-${io.kind}.txt`), join(root, 'out.txt'));
      symlinkSync(join(root, 'sub', 'inside.txt'), join(root, 'in.txt'));
      const confined: AppConfig = { ...config, root };
      assert.equal((await handleRequest(request('GET', '/static/out.txt'), io, confined)).status, 403);
      assert.equal(
        Buffer.from((await handleRequest(request('GET', '/static/in.txt'), io, confined)).body).toString(),
        'inside',
      );
      assert.equal(
        Buffer.from((await handleRequest(request('GET', '/static/sub/inside.txt'), io, confined)).body).toString(),
        'inside',
      );
      assert.equal((await handleRequest(request('GET', '/static/sub//inside.txt'), io, confined)).status, 403);
    });

    it("answers OPTIONS on a path with that route's methods, and 404 for an unknown one", async () => {
      const options = await call(request('OPTIONS', '/echo'));
      assert.equal(options.status, 204);
      assert.deepEqual(
        options.headers.find(([n]) => n === 'Allow'),
        ['Allow', 'POST, OPTIONS'],
      );
      assert.equal((await call(request('OPTIONS', '/nowhere'))).status, 404);
    });
  });
}

describe('the default site', () => {
  it('is generated once, complete, and matches its contents', async () => {
    const root = ensureDefaultSite();
    assert.equal(ensureDefaultSite(), root);
    for (const [name, bytes] of siteContents()) {
      assert.ok(Buffer.from((await syncIO.readFile(join(root, name))) ?? '').equals(bytes), name);
    }
  });
});

describe('checkResponse', () => {
  it('names every way a response is wrong', () => {
    const hello = exchanges.find((e) => e.name === 'GET /hello');
    assert.ok(hello);
    assert.deepEqual(
      checkResponse(
        hello,
        200,
        { 'content-type': 'text/plain', 'x-served-by': '1/0', 'content-length': '13' },
        Buffer.from('Hello, World!'),
      ),
      [],
    );
    const problems = checkResponse(
      hello,
      500,
      { 'content-type': 'text/html', 'content-length': '5' },
      Buffer.from('Hello'),
    );
    assert.equal(problems.length, 5, problems.join('; '));
  });

  it('holds Expires to Date plus max-age', () => {
    const row = exchanges.find((e) => e.name === 'GET /static/1k');
    assert.ok(row);
    const date = 'Tue, 01 Dec 2026 08:00:00 GMT';
    const answer = (expires: string | undefined): string[] =>
      checkResponse(
        { ...row, expect: { ...row.expect, body: undefined, headers: {} } },
        200,
        { date, expires, 'cache-control': 'public, max-age=60' },
        new Uint8Array(0),
      );
    assert.deepEqual(answer('Tue, 01 Dec 2026 08:01:00 GMT'), []);
    assert.deepEqual(answer('Tue, 01 Dec 2026 08:00:59 GMT'), []);
    assert.equal(answer('Tue, 01 Dec 2026 08:01:01 GMT').length, 1);
    assert.equal(answer('Tue, 01 Dec 2026 08:00:00 GMT').length, 1);
    assert.equal(answer(undefined).length, 1);
  });
});

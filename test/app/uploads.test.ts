/**
 * The upload area under concurrency and at its bounds (issue 17 points 4–6):
 * an upload becomes visible whole or not at all, a file removed under a reader
 * is a 404, no error answer shows a server path, and the area's total is bounded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import type { AppIO } from '../../servers/app/io.ts';
import { ensureDefaultSite } from '../../servers/app/site.ts';
import { syncIO } from '../../servers/app/sync-io.ts';
import type { HeaderList, HttpRequest, HttpResponse } from '../../servers/protocol/types.ts';
import { httpRequest, startServer, type TestServer } from '../cores/helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'uploads-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function request(method: string, target: string, body: Uint8Array | string = ''): HttpRequest {
  const headers: HeaderList = [['Host', 'test']];
  if (method === 'PUT') headers.push(['Content-Length', String(body.length)]);
  return {
    method,
    target,
    path: target,
    query: '',
    versionMajor: 1,
    versionMinor: 1,
    headers,
    trailers: [],
    body: typeof body === 'string' ? Buffer.from(body) : body,
    keepAlive: true,
    upgrade: false,
  };
}

function configFor(name: string, extra: Partial<AppConfig> = {}): AppConfig {
  return {
    root: ensureDefaultSite(),
    uploadDir: mkdtempSync(join(scratch, `${name}-`)),
    maxUploadBytes: 4 * 1024 * 1024,
    credentials: { user: 'demo', password: 'demo' },
    ...extra,
  };
}

const textOf = (response: HttpResponse): string => Buffer.from(response.body).toString();

const uploadSize = 4 * 1024 * 1024;
/** 8 uploads of 4 MiB, each of one letter: a spliced or torn file has two letters, or the wrong length. */
const uploads = [...'ABCDEFGH'].map((letter) => Buffer.alloc(uploadSize, letter));

/** What is wrong with a body read back: empty when it is one whole upload. */
function wholeUpload(body: Uint8Array): string {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (bytes.length !== uploadSize) return `${bytes.length} bytes, not ${uploadSize}`;
  const letter = bytes[0] ?? 0;
  const other = bytes.findIndex((b) => b !== letter);
  return other < 0
    ? ''
    : `${String.fromCharCode(letter)} up to byte ${other}, then ${String.fromCharCode(bytes[other] ?? 0)}`;
}

/**
 * Run the 8 PUTs at once while a reader GETs in a loop; resolves with what is wrong
 * with every answer read during the PUTs and with the file left at the end.
 */
async function concurrentUploads(
  put: (body: Buffer) => Promise<number>,
  get: () => Promise<{ status: number; body: Uint8Array }>,
): Promise<string[]> {
  const problems: string[] = [];
  let writing = true;
  const reader = (async () => {
    while (writing) {
      const answer = await get();
      if (answer.status === 200) {
        const wrong = wholeUpload(answer.body);
        if (wrong) problems.push(`a GET during the PUTs: ${wrong}`);
      } else if (answer.status !== 404) problems.push(`a GET during the PUTs: status ${answer.status}`);
      await nextTurn();
    }
  })();
  const statuses = await Promise.all(uploads.map(put)).finally(() => {
    writing = false;
  });
  await reader;
  for (const status of statuses) if (status !== 201 && status !== 204) problems.push(`a PUT: status ${status}`);
  const last = await get();
  const wrong = last.status === 200 ? wholeUpload(last.body) : `status ${last.status}`;
  if (wrong) problems.push(`the file after the PUTs: ${wrong}`);
  return problems;
}

for (const io of [syncIO, asyncIO] satisfies AppIO[]) {
  describe(`uploads with ${io.kind} I/O`, () => {
    it('answers 404, not 500, to a GET whose file is removed between its stat and its read', async () => {
      const config = configFor(`race-${io.kind}`);
      assert.equal((await handleRequest(request('PUT', '/upload/race0', 'x'), io, config)).status, 201);
      // A DELETE that lands between the GET's stat and its read, deterministically.
      const racing: AppIO = {
        ...io,
        async stat(path) {
          const info = await io.stat(path);
          await io.removeFile(path);
          return info;
        },
      };
      const response = await handleRequest(request('GET', '/upload/race0'), racing, config);
      assert.equal(response.status, 404, textOf(response));
      assert.ok(!textOf(response).includes(config.uploadDir), textOf(response));
    });

    it('answers 404 to a static file removed between its stat and its read', async () => {
      const config = configFor(`static-race-${io.kind}`);
      const vanishing: AppIO = { ...io, readFile: () => io.readFile(join(scratch, 'no-such-file')) };
      const response = await handleRequest(request('GET', '/static/1k'), vanishing, config);
      assert.equal(response.status, 404, textOf(response));
    });

    it('makes each of 8 concurrent 4 MiB uploads visible whole or not at all', async () => {
      const config = configFor(`atomic-${io.kind}`);
      const problems = await concurrentUploads(
        async (body) => (await handleRequest(request('PUT', '/upload/r', body), io, config)).status,
        async () => {
          const { status, body } = await handleRequest(request('GET', '/upload/r'), io, config);
          return { status, body: typeof body === 'string' ? Buffer.from(body) : body };
        },
      );
      assert.deepEqual(problems, []);
      // No temporary file is left behind, and none is ever addressable as an upload.
      assert.deepEqual(readdirSync(config.uploadDir), ['r']);
    });

    it('never shows a server path in a 500', async () => {
      const config = configFor(`error-${io.kind}`);
      const failing: AppIO = {
        ...io,
        readFile: () =>
          Promise.reject(
            Object.assign(new Error(`EACCES: permission denied, open '${config.root}/1k'`), { code: 'EACCES' }),
          ),
      };
      const response = await handleRequest(request('GET', '/static/1k'), failing, config);
      assert.equal(response.status, 500);
      assert.ok(!textOf(response).includes('/'), textOf(response));
    });
  });
}

// Over sockets, where the uploads run in parallel for real: the event loop's asynchronous
// writes interleave, and process-per-request's children write synchronously side by side.
for (const model of ['event-loop', 'process-per-request']) {
  describe(`${model}: concurrent uploads over sockets`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(model);
    });
    after(() => server.close());

    it('makes each of 8 concurrent 4 MiB uploads visible whole or not at all', async () => {
      const problems = await concurrentUploads(
        async (body) => (await httpRequest(server, '/upload/r', { method: 'PUT', body })).status,
        () => httpRequest(server, '/upload/r'),
      );
      assert.deepEqual(problems, []);
      assert.deepEqual(readdirSync(server.uploadDir), ['r']);
    });
  });
}

for (const io of [syncIO, asyncIO] satisfies AppIO[]) {
  describe(`the upload area's bounds with ${io.kind} I/O`, () => {
    const put = (config: AppConfig, name: string, bytes: number): Promise<HttpResponse> =>
      handleRequest(request('PUT', `/upload/${name}`, Buffer.alloc(bytes, 'x')), io, config);

    it('answers 507 once the total bytes would pass the bound; a replacement counts only its new size', async () => {
      const config = configFor(`bytes-${io.kind}`, { maxUploadAreaBytes: 100, maxUploadFiles: 10 });
      assert.equal((await put(config, 'a', 60)).status, 201);
      const full = await put(config, 'b', 41);
      assert.equal(full.status, 507, textOf(full));
      assert.ok(!textOf(full).includes('/'), textOf(full));
      assert.equal((await put(config, 'b', 40)).status, 201);
      // Replacing a (60 bytes) with 60 bytes fits; with 61 it does not.
      assert.equal((await put(config, 'a', 60)).status, 204);
      assert.equal((await put(config, 'a', 61)).status, 507);
      assert.equal((await handleRequest(request('DELETE', '/upload/b'), io, config)).status, 204);
      assert.equal((await put(config, 'c', 40)).status, 201);
      assert.deepEqual(readdirSync(config.uploadDir).sort(), ['a', 'c']);
    });

    it('answers 507 to a new file past the count bound, and still takes replacements', async () => {
      const config = configFor(`files-${io.kind}`, { maxUploadAreaBytes: 1000, maxUploadFiles: 3 });
      for (const name of ['a', 'b', 'c']) assert.equal((await put(config, name, 1)).status, 201);
      assert.equal((await put(config, 'd', 1)).status, 507);
      assert.equal((await put(config, 'c', 2)).status, 204);
      assert.equal((await handleRequest(request('DELETE', '/upload/a'), io, config)).status, 204);
      assert.equal((await put(config, 'd', 1)).status, 201);
    });

    it('holds both bounds under concurrent PUTs', async () => {
      const config = configFor(`concurrent-${io.kind}`, { maxUploadAreaBytes: 100, maxUploadFiles: 5 });
      const statuses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => put(config, `f${i}`, 30).then((r) => r.status)),
      );
      assert.ok(
        statuses.every((s) => s === 201 || s === 507),
        statuses.join(' '),
      );
      // Exactly as many as fit: none past the bound, and no PUT refused while there was room.
      assert.equal(statuses.filter((s) => s === 201).length, 3, statuses.join(' '));
      assert.equal(readdirSync(config.uploadDir).length, 3);
    });
  });
}

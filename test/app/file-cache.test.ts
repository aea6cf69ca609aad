/**
 * The open-file cache of the static files (servers/app/file-cache.ts): a file
 * changed, replaced or removed on disk is seen within the validity; its bounds
 * on entries and bytes hold; the synchronous I/O does not use it; path
 * confinement is unchanged behind it.
 */
import assert from 'node:assert/strict';
import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import { FileCache, fileCacheDefaults } from '../../servers/app/file-cache.ts';
import type { AppIO } from '../../servers/app/io.ts';
import type { HttpRequest, HttpResponse } from '../../servers/protocol/types.ts';

const base = mkdtempSync(join(tmpdir(), 'file-cache-test-'));
after(() => rmSync(base, { recursive: true, force: true }));
const root = join(base, 'root');
const outside = join(base, 'outside');

function makeRoot(): AppConfig {
  mkdirSync(root, { recursive: true });
  mkdirSync(outside, { recursive: true });
  return {
    root,
    uploadDir: join(base, 'uploads'),
    maxUploadBytes: 1024,
    credentials: { user: 'u', password: 'p' },
  };
}

function get(path: string): HttpRequest {
  return {
    method: 'GET',
    target: path,
    path,
    query: '',
    versionMajor: 1,
    versionMinor: 1,
    headers: [['Host', 'test']],
    trailers: [],
    body: new Uint8Array(0),
    keepAlive: true,
    upgrade: false,
  };
}

const bodyText = (r: HttpResponse): string => Buffer.from(r.body).toString();
const etag = (r: HttpResponse): string | undefined => r.headers.find(([k]) => k === 'ETag')?.[1];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An AppIO that counts its stats and reads, over the real asynchronous one. */
function counting(): AppIO & { stats: number; reads: number } {
  const io = {
    ...asyncIO,
    stats: 0,
    reads: 0,
    stat(path: string) {
      io.stats++;
      return asyncIO.stat(path);
    },
    readFile(path: string, start?: number, end?: number) {
      io.reads++;
      return asyncIO.readFile(path, start, end);
    },
  };
  return io;
}

describe('the open-file cache', () => {
  const config = makeRoot();

  it('answers a repeated request from memory: no stat, no read within the validity', async () => {
    writeFileSync(join(root, 'a.txt'), 'first');
    const io = counting();
    assert.equal(bodyText(await handleRequest(get('/static/a.txt'), io, config)), 'first');
    const [stats, reads] = [io.stats, io.reads];
    for (let k = 0; k < 5; k++) assert.equal(bodyText(await handleRequest(get('/static/a.txt'), io, config)), 'first');
    assert.deepEqual([io.stats, io.reads], [stats, reads]);
  });

  it('sees a file changed in place, and a file replaced by rename, within the validity', async () => {
    writeFileSync(join(root, 'b.txt'), 'old contents');
    const io = counting();
    const before = await handleRequest(get('/static/b.txt'), io, config);
    assert.equal(bodyText(before), 'old contents');
    writeFileSync(join(root, 'b.txt'), 'new!');
    // Same size as 'new!', other bytes: only the mtime tells, so make sure it differs.
    writeFileSync(join(base, 'b.tmp'), 'NEW!');
    utimesSync(join(base, 'b.tmp'), new Date(), new Date(Date.now() + 5_000));
    await sleep(fileCacheDefaults.validityMs + 50);
    const changed = await handleRequest(get('/static/b.txt'), io, config);
    assert.equal(bodyText(changed), 'new!');
    assert.notEqual(etag(changed), etag(before));
    renameSync(join(base, 'b.tmp'), join(root, 'b.txt'));
    await sleep(fileCacheDefaults.validityMs + 50);
    assert.equal(bodyText(await handleRequest(get('/static/b.txt'), io, config)), 'NEW!');
  });

  it('answers 404 for a file removed, within the validity', async () => {
    writeFileSync(join(root, 'c.txt'), 'here');
    const io = counting();
    assert.equal((await handleRequest(get('/static/c.txt'), io, config)).status, 200);
    unlinkSync(join(root, 'c.txt'));
    await sleep(fileCacheDefaults.validityMs + 50);
    assert.equal((await handleRequest(get('/static/c.txt'), io, config)).status, 404);
  });

  it('still refuses a symlink that leads out of the root, cached or not', async () => {
    writeFileSync(join(outside, 'secret.txt'), 'secret');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'link.txt'));
    const io = counting();
    for (let k = 0; k < 2; k++) assert.equal((await handleRequest(get('/static/link.txt'), io, config)).status, 403);
  });

  it('keeps its entries and bytes within their bounds, dropping the least recently used', async () => {
    for (const name of ['d1', 'd2', 'd3']) writeFileSync(join(root, name), 'x'.repeat(100));
    let clock = 0;
    const io = counting();
    const cache = new FileCache(
      io,
      { validityMs: 1_000, maxEntries: 2, maxBytes: 150, maxFileBytes: 100 },
      () => clock,
    );
    for (const name of ['d1', 'd2']) {
      assert.ok(await cache.stat(join(root, name)));
      assert.equal((await cache.read(join(root, name), 0, 100))?.length, 100);
    }
    // 200 bytes would be over 150: d1's bytes went, d2's stayed.
    const reads = io.reads;
    await cache.read(join(root, 'd2'), 0, 100);
    assert.equal(io.reads, reads);
    await cache.stat(join(root, 'd3'));
    await cache.stat(join(root, 'd1'));
    const stats = io.stats;
    await cache.stat(join(root, 'd2')); // evicted by d3 and d1: two entries at most
    assert.equal(io.stats, stats + 1);
    clock += 1_000;
    await cache.stat(join(root, 'd1')); // past the validity: stat'ed again
    assert.equal(io.stats, stats + 2);
  });
});

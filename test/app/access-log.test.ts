import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AccessLog, basicUser, contentBytes, formatAccessLine } from '../../servers/app/access-log.ts';
import type { HttpRequest } from '../../servers/protocol/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'access-log-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const entry = {
  host: '127.0.0.1',
  date: new Date(Date.UTC(2000, 9, 10, 13, 55, 36)),
  method: 'GET',
  target: '/apache_pb.gif',
  version: '1.0',
  status: 200,
  bytes: 2326,
};

describe('the access log', () => {
  it('formats Common Log Format lines', () => {
    assert.equal(
      formatAccessLine({ ...entry, user: 'frank' }),
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 2326',
    );
    assert.equal(
      formatAccessLine({ ...entry, bytes: 0, target: '/a"b' }),
      '127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a\\"b HTTP/1.0" 200 -',
    );
  });

  it('logs a request that could not be parsed as "-"', () => {
    assert.equal(
      formatAccessLine({ host: '::1', date: entry.date, status: 400, bytes: 16 }),
      '::1 - - [10/Oct/2000:13:55:36 +0000] "-" 400 16',
    );
  });

  it('counts content bytes as the wire carries them', () => {
    const response = { status: 200, headers: [], body: 'héllo' };
    assert.equal(contentBytes('GET', response), 6);
    assert.equal(contentBytes('HEAD', response), 0);
    assert.equal(contentBytes('GET', { ...response, status: 304 }), 0);
    assert.equal(contentBytes('GET', { ...response, status: 204 }), 0);
    assert.equal(contentBytes('GET', { ...response, body: new Uint8Array(1024) }), 1024);
    // A streamed file: its body is empty, its range is what the wire carries.
    const streamed = {
      ...response,
      body: '',
      file: { kind: 'file', path: '/x', start: 10, end: 5_000_010, size: 6e6, mtimeMs: 0, io: 'async' },
    };
    assert.equal(contentBytes('GET', streamed), 5_000_000);
    assert.equal(contentBytes('HEAD', streamed), 0);
  });

  it('takes the user from Basic credentials, printable and without spaces', () => {
    const withAuth = (value: string): HttpRequest => ({
      method: 'GET',
      target: '/',
      path: '/',
      query: '',
      versionMajor: 1,
      versionMinor: 1,
      headers: [['Authorization', value]],
      trailers: [],
      body: new Uint8Array(0),
      keepAlive: true,
      upgrade: false,
    });
    const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;
    assert.equal(basicUser(withAuth(basic('demo:demo'))), 'demo');
    assert.equal(basicUser(withAuth(basic('a b:x'))), 'a?b');
    assert.equal(basicUser(withAuth(basic('no-colon'))), undefined);
    assert.equal(basicUser(withAuth('Bearer abc')), undefined);
  });

  it('appends every line by close()', () => {
    const file = join(dir, 'access.log');
    const log = new AccessLog(file);
    log.write(entry);
    log.write({ ...entry, status: 404 });
    log.close();
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', / 404 2326$/);
  });

  it('writes a full batch at once, before its timer', () => {
    const file = join(dir, 'batch.log');
    const log = new AccessLog(file, 60_000);
    for (let i = 0; i < 512; i++) log.write({ ...entry, target: `/${i}` });
    // 512 lines is a full batch: written now, without waiting a minute or for close().
    assert.equal(readFileSync(file, 'utf8').split('\n').length - 1, 512);
    log.write(entry);
    assert.equal(readFileSync(file, 'utf8').split('\n').length - 1, 512);
    log.close();
    assert.equal(readFileSync(file, 'utf8').split('\n').length - 1, 513);
  });
});

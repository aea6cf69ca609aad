import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AccessLog, formatAccessLine } from '../../servers/app/access-log.ts';

const dir = mkdtempSync(join(tmpdir(), 'access-log-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const entry = { host: '127.0.0.1', date: new Date(Date.UTC(2000, 9, 10, 13, 55, 36)), method: 'GET', target: '/apache_pb.gif', version: '1.0', status: 200, bytes: 2326 };

describe('the access log', () => {
  it('formats Common Log Format lines', () => {
    assert.equal(formatAccessLine({ ...entry, user: 'frank' }), '127.0.0.1 - frank [10/Oct/2000:13:55:36 +0000] "GET /apache_pb.gif HTTP/1.0" 200 2326');
    assert.equal(formatAccessLine({ ...entry, bytes: 0, target: '/a"b' }), '127.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "GET /a\\"b HTTP/1.0" 200 -');
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
});

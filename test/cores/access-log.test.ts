/**
 * The access log on every model: one Common Log Format line per response sent,
 * with its status and content bytes, for answered requests, for malformed ones
 * answered 400 and for a head that timed out (408); and whole lines only when
 * several processes share the file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { httpRequest, rawExchange, runnableModels, splitResponses, startServer } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'server-models-access-log-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** `host - user [date] "request" status bytes`, with the parts this test compares. */
const clfLine =
  /^(\S+) - (\S+) \[(\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)$/;

function readLog(file: string): Array<{ host: string; user: string; request: string; status: number; bytes: string }> {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = clfLine.exec(line);
      assert.ok(match, `not a whole CLF line: ${JSON.stringify(line)}`);
      return { host: match[1]!, user: match[2]!, request: match[4]!, status: Number(match[5]), bytes: match[6]! };
    });
}

const sortKey = (e: { request: string; status: number }): string => `${e.request} ${e.status}`;

for (const model of runnableModels) {
  describe(`${model}: --access-log`, () => {
    it('writes one line per response, with its status and content bytes', async () => {
      const file = join(dir, `${model}.log`);
      const server = await startServer(model, { accessLog: file });
      let notFoundBytes: number;
      let malformedBytes: number;
      try {
        const hello = await httpRequest(server, '/hello');
        assert.equal(hello.status, 200);
        const missing = await httpRequest(server, '/nowhere');
        assert.equal(missing.status, 404);
        notFoundBytes = missing.body.length;
        assert.equal((await httpRequest(server, '/hello', { method: 'HEAD' })).status, 200);
        const auth = `Basic ${Buffer.from('demo:demo').toString('base64')}`;
        assert.equal((await httpRequest(server, '/private', { headers: { authorization: auth } })).status, 200);
        const bad = await rawExchange(server, 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n');
        const [rejected] = splitResponses(bad.bytes);
        assert.equal(rejected?.status, 400);
        malformedBytes = rejected.body.length;
      } finally {
        // close() flushes the log: every line is in the file once it resolves.
        await server.close();
      }
      const entries = readLog(file).sort((a, b) => sortKey(a).localeCompare(sortKey(b)));
      assert.deepEqual(
        entries.map((e) => [e.request, e.status, e.bytes, e.user]),
        [
          ['-', 400, String(malformedBytes), '-'],
          ['GET /hello HTTP/1.1', 200, '13', '-'],
          ['GET /nowhere HTTP/1.1', 404, String(notFoundBytes), '-'],
          ['GET /private HTTP/1.1', 200, String('Hello, demo!\n'.length), 'demo'],
          ['HEAD /hello HTTP/1.1', 200, '-', '-'],
        ],
      );
      for (const entry of entries) assert.equal(entry.host, '127.0.0.1');
    });
  });
}

describe('event-loop: a request head that times out', () => {
  it('is logged with its 408 and no request line', async () => {
    const file = join(dir, 'timeout.log');
    const server = await startServer('event-loop', { accessLog: file, headersTimeoutMs: 200 });
    let sent: number | undefined;
    try {
      const { bytes, closedByServer } = await rawExchange(server, 'GET /hello HTTP/1.1\r\nHost: x\r\n', {
        waitMs: 3_000,
      });
      const [timedOut] = splitResponses(bytes);
      assert.equal(timedOut?.status, 408);
      assert.ok(closedByServer);
      sent = timedOut.body.length;
    } finally {
      await server.close();
    }
    assert.deepEqual(
      readLog(file).map((e) => [e.request, e.status, e.bytes]),
      [['-', 408, String(sent)]],
    );
  });
});

describe('prefork: several processes append to one log', () => {
  it('never interleaves lines', async () => {
    const file = join(dir, 'prefork-concurrent.log');
    const server = await startServer('prefork', { accessLog: file, threads: 2 });
    const requests = 200;
    const statuses: number[] = [];
    const writers = new Set<string>();
    try {
      // 20 clients at a time, a connection each: the primary spreads them over both workers.
      for (let i = 0; i < requests; i += 20) {
        const batch = await Promise.all(Array.from({ length: 20 }, (_, j) => httpRequest(server, `/hello?n=${i + j}`)));
        statuses.push(...batch.map((r) => r.status));
        for (const response of batch) writers.add(String(response.headers['x-served-by']));
      }
    } finally {
      await server.close();
    }
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal(writers.size, 2, `both workers served (and logged): ${[...writers].join(', ')}`);
    const entries = readLog(file);
    assert.equal(entries.length, requests);
    const seen = new Set(entries.map((e) => e.request));
    for (let n = 0; n < requests; n++) assert.ok(seen.has(`GET /hello?n=${n} HTTP/1.1`), `request ${n} logged`);
  });
});

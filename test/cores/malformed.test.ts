/**
 * Bad bytes over raw sockets, on every model: each rejection class of the
 * parser gets its status, the connection is closed after it, and the server
 * goes on serving a fresh connection.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { httpRequest, runnableModels, rawExchange, splitResponses, startServer, type TestServer } from './helpers.ts';

/** Small limits, so that each limit can be crossed with a few KiB. */
const limits = { maxRequestLineBytes: 1_024, maxHeaderBytes: 2_048, maxHeaderCount: 20, maxBodyBytes: 1_024 };

const get = (head: string): string => `GET / HTTP/1.1\r\nHost: x\r\n${head}\r\n`;
const post = (head: string, body: string): string => `POST /echo HTTP/1.1\r\nHost: x\r\n${head}\r\n${body}`;

/** [what, bytes, status] for every rejection class of the parser. */
const cases: Array<[string, string, number]> = [
  ['invalid method token', 'G(T / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['invalid request-target character', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
  ['request line ending in bare LF... then bare CR', 'GET / HTTP/1.1\rHost: x\r\n\r\n', 400],
  ['whitespace before a header colon', get('Foo : bar\r\n'), 400],
  ['obs-fold continuation line', get('Foo: bar\r\n baz\r\n'), 400],
  ['invalid header-name character', get('Fo(o: bar\r\n'), 400],
  ['NUL in a header value', get('Foo: b\0r\r\n'), 400],
  ['Content-Length not plain digits', post('Content-Length: +5\r\n', 'hello'), 400],
  ['Content-Length overflowing', post('Content-Length: 99999999999999999999999\r\n', ''), 400],
  ['differing Content-Length values', post('Content-Length: 5\r\nContent-Length: 6\r\n', 'hello!'), 400],
  [
    'Content-Length with Transfer-Encoding',
    post('Content-Length: 5\r\nTransfer-Encoding: chunked\r\n', '5\r\nhello\r\n0\r\n\r\n'),
    400,
  ],
  ['Transfer-Encoding not ending in chunked', post('Transfer-Encoding: chunked, gzip\r\n', 'hello'), 400],
  ['invalid chunk size', post('Transfer-Encoding: chunked\r\n', 'zz\r\nhello\r\n0\r\n\r\n'), 400],
  ['chunk data not followed by CRLF', post('Transfer-Encoding: chunked\r\n', '5\r\nhelloXX0\r\n\r\n'), 400],
  ['unsupported version', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
  ['request line too long', `GET /${'a'.repeat(2_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
  ['header section too large', get(`Foo: ${'a'.repeat(3_000)}\r\n`), 431],
  ['too many header fields', get(Array.from({ length: 30 }, (_, i) => `H${i}: v\r\n`).join('')), 431],
  ['body larger than the limit (Content-Length)', post('Content-Length: 2000\r\n', ''), 413],
  [
    'body larger than the limit (chunked)',
    post('Transfer-Encoding: chunked\r\n', `${(1_500).toString(16)}\r\n${'a'.repeat(1_500)}\r\n0\r\n\r\n`),
    413,
  ],
];

for (const model of runnableModels) {
  describe(`${model}: malformed requests`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(model, { limits });
    });
    after(() => server.close());

    for (const [what, bytes, status] of cases) {
      it(`${what} -> ${status}, connection closed, server goes on`, async () => {
        const result = await rawExchange(server, bytes);
        const responses = splitResponses(result.bytes);
        assert.equal(responses.length, 1, `one response, got: ${result.text.slice(0, 200)}`);
        assert.equal(responses[0]!.status, status);
        assert.equal(responses[0]!.headers.get('connection'), 'close');
        assert.ok(result.closedByServer, 'the server closes the connection');
        const fresh = await httpRequest(server, '/hello');
        assert.equal(fresh.status, 200);
        assert.equal(fresh.body.toString(), 'Hello, World!');
      });
    }

    it('answers earlier pipelined requests before the error', async () => {
      const result = await rawExchange(
        server,
        `GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\nG(T / HTTP/1.1\r\n\r\n`,
      );
      const statuses = splitResponses(result.bytes).map((r) => r.status);
      assert.deepEqual(statuses, [200, 200, 400]);
      assert.ok(result.closedByServer);
    });
  });
}

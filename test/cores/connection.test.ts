/**
 * The connection behaviour every model shares through the driver, over real
 * sockets: keep-alive, pipelining in order, Connection: close and HTTP/1.0,
 * the idle and header-read timeouts, and a drain on close.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  httpRequest,
  runnableModels,
  rawExchange,
  servedBy,
  splitResponses,
  startServer,
  type TestServer,
} from './helpers.ts';

const hello = 'GET /hello HTTP/1.1\r\nHost: x\r\n\r\n';

for (const model of runnableModels) {
  describe(`${model}: connections`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(model, { keepAliveTimeoutMs: 400, headersTimeoutMs: 400 });
    });
    after(() => server.close());

    it('answers pipelined requests in order, in one connection', async () => {
      // Different waits so that a core answering out of order would show it.
      const paths = ['/io?ms=60', '/hello', '/io?ms=20', '/json', '/hello'];
      const input =
        paths.map((p) => `GET ${p} HTTP/1.1\r\nHost: x\r\n\r\n`).join('') +
        'GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';
      const result = await rawExchange(server, input);
      const responses = splitResponses(result.bytes);
      assert.equal(responses.length, paths.length + 1);
      assert.ok(responses.every((r) => r.status === 200));
      assert.equal(responses[1]!.body.toString(), 'Hello, World!');
      assert.match(responses[3]!.body.toString(), /"message"/);
      assert.equal(responses.at(-1)!.headers.get('connection'), 'close');
      assert.ok(result.closedByServer);
    });

    it('keeps a connection open between requests, and closes it when idle too long', async () => {
      const result = await rawExchange(server, [hello, hello], { gapMs: 100 });
      assert.equal(splitResponses(result.bytes).length, 2);
      assert.ok(result.closedByServer, 'closed after the keep-alive timeout');
    });

    it('closes after an HTTP/1.0 request without keep-alive', async () => {
      const result = await rawExchange(server, 'GET /hello HTTP/1.0\r\n\r\n');
      const [response] = splitResponses(result.bytes);
      assert.equal(response?.status, 200);
      assert.ok(result.closedByServer);
    });

    it('answers 408 and closes when a request head trickles in too slowly', async () => {
      const slow = [
        'GET /hello HTTP/1.1\r\n',
        'Host: x\r\n',
        'X-A: 1\r\n',
        'X-B: 2\r\n',
        'X-C: 3\r\n',
        'X-D: 4\r\n',
        '\r\n',
      ];
      const result = await rawExchange(server, slow, { gapMs: 150 });
      const [response] = splitResponses(result.bytes);
      assert.equal(response?.status, 408);
      assert.ok(result.closedByServer);
      assert.equal((await httpRequest(server, '/hello')).status, 200);
    });

    it('answers the request that is in flight when close() begins, then closes', async () => {
      const other = await startServer(model);
      const socket = connect({ host: other.host, port: other.port });
      const received: Buffer[] = [];
      const ended = once(socket, 'end');
      socket.on('data', (chunk: Buffer) => received.push(chunk));
      // One chunk, so one parse: once /hello is answered, the /io request is in the server's hands.
      socket.write(`${hello}GET /io?ms=200 HTTP/1.1\r\nHost: x\r\n\r\n`);
      await once(socket, 'data');
      const closed = other.close();
      await ended;
      await closed;
      socket.destroy();
      const responses = splitResponses(Buffer.concat(received));
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 200],
      );
      // The blocking server runs in this test's thread: its wait blocks the test too, so
      // close() can only begin once the second response is out, and that one keeps alive.
      if (model !== 'blocking') assert.equal(responses[1]!.headers.get('connection'), 'close');
      servedBy(responses[1]!.headers.get('x-served-by'));
      await assert.rejects(httpRequest(other, '/hello'));
    });
  });
}

/**
 * The application's one table of requests and expected responses, run against
 * every model and the node-http peer over real sockets, with node:http's client
 * (a parser that is not ours). A core that answers any row wrongly fails here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { checkResponse, exchanges } from '../../servers/app/exchanges.ts';
import { httpRequest, runnableModels, startServer, type TestServer } from './helpers.ts';

for (const model of [...runnableModels, 'node-http']) {
  describe(`${model}: the exchanges table`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(model);
    });
    after(() => server.close());

    for (const exchange of exchanges) {
      it(exchange.name, async () => {
        const response = await httpRequest(server, exchange.path, {
          method: exchange.method,
          headers: exchange.headers,
          body: exchange.body,
        });
        assert.deepEqual(checkResponse(exchange, response.status, response.headers, response.body), []);
      });
    }
  });
}

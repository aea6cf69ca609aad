/**
 * The session scenario's cookie jar: under autocannon every connection sends back the Set-Cookie
 * of its last answer, so a server that hands out a new cookie per answer sees each one return on
 * the next request of its connection; the generators that keep no jar refuse such a job.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AutocannonLoadGenerator } from '../../bench/loadgen/autocannon.ts';
import type { LoadJob } from '../../bench/loadgen/types.ts';
import { findScenario } from '../../bench/plan/scenarios.ts';

/** Cookies handed out (`c<n>`), and how each later request's Cookie matched the one its connection was given. */
let issued = 0;
const sentBack = { matched: 0, missing: 0, wrong: 0 };
const server = createServer((req, res) => {
  const given = (req.socket as { lastCookie?: string }).lastCookie;
  const cookie = req.headers.cookie;
  if (given === undefined) {
    if (cookie !== undefined) sentBack.wrong++;
  } else if (cookie === undefined) sentBack.missing++;
  else if (cookie === given) sentBack.matched++;
  else sentBack.wrong++;
  const next = `sid=c${++issued}`;
  (req.socket as { lastCookie?: string }).lastCookie = next;
  res.setHeader('Set-Cookie', `${next}; Path=/; HttpOnly`);
  res.end('ok');
});
let url = '';
let generator: AutocannonLoadGenerator;

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  generator = await AutocannonLoadGenerator.start({ cpus: null });
});
after(async () => {
  await generator.close();
  server.close();
});

const job = (): LoadJob => ({
  url,
  connections: 3,
  durationSec: 0.6,
  pipelining: 1,
  newConnectionPerRequest: false,
  cookieJar: true,
  requests: [{ method: 'GET', path: '/session' }],
  timeoutSec: 2,
});

describe('a cookie jar per connection', () => {
  it('sends every answer’s cookie back on the connection’s next request', async () => {
    const result = await generator.run(job());
    assert.ok(result.requests > 30, `${result.requests} requests`);
    assert.equal(sentBack.wrong, 0);
    // A request already written when its predecessor's answer arrived may go without (at most one per connection).
    assert.ok(sentBack.missing <= 3, JSON.stringify(sentBack));
    assert.ok(sentBack.matched >= result.requests - 6, JSON.stringify(sentBack));
  });
  it('is what the session scenario asks of its load generator', () => {
    const session = findScenario('session')!;
    assert.equal(session.cookieJar, true);
    assert.deepEqual(
      session.requests.map((r) => `${r.method} ${r.path}`),
      ['GET /session'],
    );
  });
});

/**
 * Sessions: the Cookie header parsed as RFC 6265 says, the signed cookie of
 * GET /session verified and refused, and one session followed across requests
 * on every model, where consecutive requests may land in different processes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { handleRequest } from '../../servers/app/app.ts';
import { asyncIO } from '../../servers/app/async-io.ts';
import type { AppConfig } from '../../servers/app/config.ts';
import { parseCookies, setCookie } from '../../servers/app/cookies.ts';
import type { AppIO } from '../../servers/app/io.ts';
import { ensureDefaultSite } from '../../servers/app/site.ts';
import { syncIO } from '../../servers/app/sync-io.ts';
import type { HeaderList, HttpResponse } from '../../servers/protocol/types.ts';
import { httpRequest, runnableModels, servedBy, startServer, type TestServer } from '../cores/helpers.ts';

const scratch = mkdtempSync(join(tmpdir(), 'session-test-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('parseCookies (RFC 6265 §5.4)', () => {
  const parse = (...values: string[]): Record<string, string> =>
    Object.fromEntries(parseCookies(values.map((v): [string, string] => ['Cookie', v])));

  it('reads several cookies from one header, trimming whitespace around names and values', () => {
    assert.deepEqual(parse('a=1; b=2;c=3 ;  d = 4 '), { a: '1', b: '2', c: '3', d: '4' });
  });
  it('unquotes a quoted value and keeps = inside a value', () => {
    assert.deepEqual(parse('q="quoted value"; eq=a=b=; half="x'), { q: 'quoted value', eq: 'a=b=', half: '"x' });
  });
  it('skips pairs without = or with an empty name, and empty values are values', () => {
    assert.deepEqual(parse('flag; =nameless; empty=; ok=1;;'), { empty: '', ok: '1' });
  });
  it('keeps the first of two cookies with one name (the one with the longest path)', () => {
    assert.deepEqual(parse('sid=first; sid=second'), { sid: 'first' });
  });
  it('takes unknown attributes (RFC 2965 $Version, $Path) as cookies of their own, not as part of another', () => {
    assert.deepEqual(parse('$Version=1; sid=v; $Path=/'), { $Version: '1', sid: 'v', $Path: '/' });
  });
  it('joins several Cookie fields, whatever the case of their name, and ignores other fields', () => {
    const headers: HeaderList = [
      ['cookie', 'a=1'],
      ['X-Cookie', 'x=1'],
      ['COOKIE', 'b=2; a=3'],
    ];
    assert.deepEqual(Object.fromEntries(parseCookies(headers)), { a: '1', b: '2' });
  });
});

describe('setCookie (RFC 6265 §4.1)', () => {
  it('writes the attributes in a fixed order', () => {
    assert.equal(
      setCookie('sid', 'abc', { path: '/', httpOnly: true, sameSite: 'Lax', maxAgeSeconds: 60 }),
      'sid=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax',
    );
  });
  it('refuses a name or value that could inject an attribute or a header', () => {
    assert.throws(() => setCookie('sid', 'a; Domain=evil.example'));
    assert.throws(() => setCookie('sid', 'a\r\nX: y'));
    assert.throws(() => setCookie('s id', 'a'));
  });
});

/** The `sid=...` part of an answer's Set-Cookie, as a client sends it back. */
function cookieOf(setCookieValue: string | string[] | undefined): string {
  const value = Array.isArray(setCookieValue) ? setCookieValue[0] : setCookieValue;
  const pair = value?.split(';')[0];
  assert.ok(pair?.startsWith('sid='), `no session cookie in ${String(value)}`);
  return pair ?? '';
}

const bodyOf = (response: HttpResponse): unknown => JSON.parse(Buffer.from(response.body).toString());
const headerOf = (response: HttpResponse, name: string): string | undefined =>
  response.headers.find(([n]) => n.toLowerCase() === name)?.[1];

for (const io of [syncIO, asyncIO] satisfies AppIO[]) {
  describe(`GET /session with ${io.kind} I/O`, () => {
    const config: AppConfig = {
      root: ensureDefaultSite(),
      uploadDir: mkdtempSync(join(scratch, `uploads-${io.kind}-`)),
      maxUploadBytes: 1024,
      credentials: { user: 'demo', password: 'demo' },
    };
    const get = (cookie: string | undefined, on: AppConfig = config): Promise<HttpResponse> =>
      handleRequest(
        {
          method: 'GET',
          target: '/session',
          path: '/session',
          query: '',
          versionMajor: 1,
          versionMinor: 1,
          headers:
            cookie === undefined
              ? [['Host', 'test']]
              : [
                  ['Host', 'test'],
                  ['Cookie', cookie],
                ],
          trailers: [],
          body: new Uint8Array(0),
          keepAlive: true,
          upgrade: false,
        },
        io,
        on,
      );

    it('counts the visits of the cookie sent back, and sets the updated cookie each time', async () => {
      const first = await get(undefined);
      assert.deepEqual(bodyOf(first), { visits: 1, first: true });
      let cookie = cookieOf(headerOf(first, 'set-cookie'));
      for (const visits of [2, 3, 4]) {
        const next = await get(`theme=dark; ${cookie}`);
        assert.deepEqual(bodyOf(next), { visits, first: false });
        assert.equal(headerOf(next, 'vary'), 'Cookie');
        assert.equal(headerOf(next, 'cache-control'), 'private, no-store');
        const updated = cookieOf(headerOf(next, 'set-cookie'));
        // The same session: the id stays, the count moves.
        assert.equal(updated.split('.')[0], cookie.split('.')[0]);
        cookie = updated;
      }
    });

    it('starts a new session for a tampered count, a tampered MAC or a truncated cookie', async () => {
      const cookie = cookieOf(headerOf(await get(undefined), 'set-cookie'));
      const [id = '', count = '', signature = ''] = cookie.slice('sid='.length).split('.');
      const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
      for (const bad of [
        `sid=${id}.${Number(count) + 100}.${signature}`,
        `sid=${id}.${count}.${flipped}`,
        `sid=${id}.${count}.${signature.slice(0, -1)}`,
        `sid=${id}.${count}`,
        `sid=${id.slice(1)}A.${count}.${signature}`,
        cookie.slice(0, 10),
      ]) {
        const response = await get(bad);
        assert.deepEqual(bodyOf(response), { visits: 1, first: true }, bad);
        assert.notEqual(cookieOf(headerOf(response, 'set-cookie')).split('.')[0], `sid=${id}`, bad);
      }
    });

    it('signs with the configured secret: it verifies in another process, another secret does not', async () => {
      const a: AppConfig = { ...config, sessionSecret: 'one' };
      const cookie = cookieOf(headerOf(await get(undefined, a), 'set-cookie'));
      // A copy of the config, as a worker or child process receives it (JSON).
      const copy = JSON.parse(JSON.stringify(a)) as AppConfig;
      assert.deepEqual(bodyOf(await get(cookie, copy)), { visits: 2, first: false });
      assert.deepEqual(bodyOf(await get(cookie, { ...a, sessionSecret: 'two' })), { visits: 1, first: true });
      // Without a secret, another server (another upload folder) does not take this server's cookies.
      const derived = cookieOf(headerOf(await get(undefined), 'set-cookie'));
      assert.deepEqual(bodyOf(await get(derived, JSON.parse(JSON.stringify(config)))), { visits: 2, first: false });
      assert.deepEqual(bodyOf(await get(derived, { ...config, uploadDir: `${config.uploadDir}-other` })), {
        visits: 1,
        first: true,
      });
    });
  });
}

for (const model of [...runnableModels, 'node-http']) {
  describe(`${model}: one session across requests`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(model);
    });
    after(() => server.close());

    it('counts on over separate connections, whichever process answers', async () => {
      let cookie: string | undefined;
      const answeredBy = new Set<number>();
      for (const visits of [1, 2, 3, 4]) {
        // A new connection per request: prefork and process-per-request may answer each in another process.
        const response = await httpRequest(server, '/session', { headers: cookie ? { cookie } : {} });
        assert.equal(response.status, 200);
        assert.deepEqual(JSON.parse(response.body.toString()), { visits, first: visits === 1 });
        cookie = cookieOf(response.headers['set-cookie']);
        answeredBy.add(servedBy(String(response.headers['x-served-by'])).pid);
      }
      // The session did cross processes: a new one for every request, or prefork's round-robin over two.
      if (model === 'process-per-request') assert.equal(answeredBy.size, 4, 'a new process for every request');
      if (model === 'prefork') assert.ok(answeredBy.size >= 2, `answered by ${[...answeredBy].join(', ')}`);
    });
  });
}

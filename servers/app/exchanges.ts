/**
 * THE table of requests and expected responses: the core tests run it against
 * every model over real sockets, and the benchmark checks a server with it before
 * timing it (as h3 checks every back end against one input table). Rows are
 * self-contained, except the upload rows, which run in table order. A session
 * carried from one answer to the next request needs a cookie jar, which rows do
 * not have: test/app/session.test.ts follows one across every model.
 * Requests a standard client cannot send (no Host, no framing) are tested on the
 * handler directly (test/app/) and over raw sockets by the core tests.
 */
import { gunzipSync } from 'node:zlib';
import { maxUploadBytes } from '../defaults.ts';
import { cpuDigest } from './cpu.ts';
import { siteContents, siteSizes } from './site.ts';

/** Response headers as node:http's client and the benchmark's client give them: lower-case names. */
export type ResponseHeaders = Record<string, string | string[] | number | undefined>;

/** One request and what its answer must be. */
export interface Exchange {
  name: string;
  method: string;
  /** The request-target (path and query). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  expect: {
    status: number;
    /** Lower-case header names: an exact value, or a pattern the value must match. */
    headers?: Record<string, string | RegExp>;
    /** The exact body, or a check that returns what is wrong (undefined when right). */
    body?: string | Uint8Array | ((body: Uint8Array) => string | undefined);
    /** Lower-case names of headers that must not be present. */
    absentHeaders?: string[];
    /** A check across headers (what one pattern per header cannot say): what is wrong, or undefined. */
    headersCheck?: (headers: ResponseHeaders) => string | undefined;
  };
}

const site = siteContents();
const file = (name: string): Buffer => site.get(name) ?? Buffer.alloc(0);
const plain = /^text\/plain/;
const servedBy = /^\d+\/\d+$/;
const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;
const uploadBody = 'uploaded bytes\n';

/**
 * Expires must be Date plus max-age (RFC 9111 §5.3): the application reads the clock
 * before the serializer stamps Date, so it may be up to 2 s early on a slow path, never late.
 */
function expiresFromDate(headers: ResponseHeaders): string | undefined {
  const maxAge = /max-age=(\d+)/.exec(String(headers['cache-control'] ?? ''))?.[1];
  if (maxAge === undefined) return 'no max-age in Cache-Control';
  const date = Date.parse(String(headers.date ?? ''));
  const expires = Date.parse(String(headers.expires ?? ''));
  if (Number.isNaN(date)) return `Date ${String(headers.date)} is not an HTTP date`;
  if (Number.isNaN(expires)) return `Expires ${String(headers.expires)} is not an HTTP date`;
  const lead = (expires - date) / 1000 - Number(maxAge);
  return lead <= 0 && lead >= -2 ? undefined : `Expires is Date + max-age ${lead >= 0 ? '+' : ''}${lead} s`;
}
/** A fresh session's cookie: a new id, one visit, its MAC, and attributes that keep it from scripts and other sites. */
const newSession = /^sid=[A-Za-z0-9_-]{22}\.1\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/;

export const exchanges: readonly Exchange[] = [
  {
    name: 'GET /hello',
    method: 'GET',
    path: '/hello',
    expect: {
      status: 200,
      headers: { 'content-type': plain, 'x-served-by': servedBy, 'content-length': '13' },
      body: 'Hello, World!',
    },
  },
  {
    name: 'HEAD /hello',
    method: 'HEAD',
    path: '/hello',
    expect: { status: 200, headers: { 'content-length': '13' }, body: '' },
  },
  {
    name: 'GET /json',
    method: 'GET',
    path: '/json',
    expect: { status: 200, headers: { 'content-type': /^application\/json/ }, body: '{"message":"Hello, World!"}' },
  },
  {
    name: 'GET /cpu?units=3',
    method: 'GET',
    path: '/cpu?units=3',
    expect: { status: 200, headers: { 'content-type': plain }, body: cpuDigest(3) },
  },
  { name: 'GET /cpu without units', method: 'GET', path: '/cpu', expect: { status: 400 } },
  { name: 'GET /cpu?units=-1', method: 'GET', path: '/cpu?units=-1', expect: { status: 400 } },
  { name: 'GET /io?ms=10', method: 'GET', path: '/io?ms=10', expect: { status: 200, body: 'waited 10 ms\n' } },
  { name: 'GET /io?ms=abc', method: 'GET', path: '/io?ms=abc', expect: { status: 400 } },
  {
    name: 'POST /echo',
    method: 'POST',
    path: '/echo',
    headers: { 'content-type': 'application/x-test' },
    body: 'echo me',
    expect: { status: 200, headers: { 'content-type': 'application/x-test' }, body: 'echo me' },
  },
  { name: 'GET /echo', method: 'GET', path: '/echo', expect: { status: 405, headers: { allow: 'POST, OPTIONS' } } },
  {
    name: 'GET / (the index page)',
    method: 'GET',
    path: '/',
    expect: {
      status: 200,
      headers: {
        'content-type': /^text\/html/,
        'content-language': 'en',
        vary: 'Accept-Language, Accept-Encoding',
        etag: /-en"$/,
      },
      body: file('index.html'),
      headersCheck: expiresFromDate,
    },
  },
  {
    name: 'GET / in Chinese for zh-CN',
    method: 'GET',
    path: '/',
    headers: { 'accept-language': 'zh-CN,zh;q=0.9,en;q=0.8' },
    expect: {
      status: 200,
      headers: { 'content-language': 'zh', vary: 'Accept-Language, Accept-Encoding', etag: /-zh"$/ },
      body: file('index.zh.html'),
    },
  },
  {
    name: 'GET / picks the higher q-value',
    method: 'GET',
    path: '/',
    headers: { 'accept-language': 'zh;q=0.5, en-GB;q=0.8' },
    expect: { status: 200, headers: { 'content-language': 'en' }, body: file('index.html') },
  },
  {
    name: 'GET / with zh;q=0 and * excludes Chinese',
    method: 'GET',
    path: '/',
    headers: { 'accept-language': 'zh;q=0, *' },
    expect: { status: 200, headers: { 'content-language': 'en' }, body: file('index.html') },
  },
  {
    name: 'GET / with en;q=0 and * gives Chinese',
    method: 'GET',
    path: '/',
    headers: { 'accept-language': 'en;q=0, *;q=0.5' },
    expect: { status: 200, headers: { 'content-language': 'zh' }, body: file('index.zh.html') },
  },
  {
    name: 'GET / in a language it does not have gives English',
    method: 'GET',
    path: '/',
    headers: { 'accept-language': 'fr-CH, fr;q=0.9, de;q=0.7' },
    expect: { status: 200, headers: { 'content-language': 'en' }, body: file('index.html') },
  },
  {
    name: 'GET / in Chinese, gzipped, with its own ETag',
    method: 'GET',
    path: '/',
    headers: { 'accept-language': 'zh', 'accept-encoding': 'gzip' },
    expect: {
      status: 200,
      headers: {
        'content-language': 'zh',
        'content-encoding': 'gzip',
        vary: 'Accept-Language, Accept-Encoding',
        etag: /-zh-gzip"$/,
      },
      body: (b) =>
        gunzipText(b) === file('index.zh.html').toString() ? undefined : 'the body does not gunzip to index.zh.html',
    },
  },
  {
    name: 'GET /static/1k',
    method: 'GET',
    path: '/static/1k',
    expect: {
      status: 200,
      headers: {
        'content-type': 'application/octet-stream',
        etag: /^"[0-9a-f]+-[0-9a-f]+"$/,
        'last-modified': /GMT$/,
        'cache-control': /max-age/,
      },
      body: file('1k'),
      headersCheck: expiresFromDate,
    },
  },
  { name: 'GET /static/16k', method: 'GET', path: '/static/16k', expect: { status: 200, body: file('16k') } },
  {
    name: 'GET /static/1M',
    method: 'GET',
    path: '/static/1M',
    expect: { status: 200, headers: { 'content-length': String(siteSizes.large) }, body: file('1M') },
  },
  {
    name: 'HEAD /static/16k',
    method: 'HEAD',
    path: '/static/16k',
    expect: { status: 200, headers: { 'content-length': String(siteSizes.medium) }, body: '' },
  },
  {
    name: 'GET /static/style.css',
    method: 'GET',
    path: '/static/style.css',
    expect: {
      status: 200,
      headers: { 'content-type': /^text\/css/, vary: 'Accept-Encoding' },
      body: file('style.css'),
      absentHeaders: ['content-encoding'],
    },
  },
  {
    name: 'GET /static/data.json gzipped',
    method: 'GET',
    path: '/static/data.json',
    headers: { 'accept-encoding': 'gzip, br' },
    expect: {
      status: 200,
      headers: { 'content-type': /^application\/json/, 'content-encoding': 'gzip', vary: 'Accept-Encoding' },
      body: (b) =>
        gunzipText(b) === file('data.json').toString() ? undefined : 'the body does not gunzip to data.json',
    },
  },
  {
    name: 'gzip refused with q=0',
    method: 'GET',
    path: '/static/data.json',
    headers: { 'accept-encoding': 'gzip;q=0' },
    expect: { status: 200, body: file('data.json'), absentHeaders: ['content-encoding'] },
  },
  {
    name: 'binary files are not gzipped',
    method: 'GET',
    path: '/static/1k',
    headers: { 'accept-encoding': 'gzip' },
    expect: { status: 200, body: file('1k'), absentHeaders: ['content-encoding', 'vary'] },
  },
  {
    name: 'If-None-Match: * gives 304',
    method: 'GET',
    path: '/static/1k',
    headers: { 'if-none-match': '*' },
    expect: { status: 304, headers: { etag: /^"/ }, body: '', headersCheck: expiresFromDate },
  },
  {
    name: 'If-Modified-Since in the future gives 304',
    method: 'GET',
    path: '/static/1k',
    headers: { 'if-modified-since': 'Fri, 01 Jan 2100 00:00:00 GMT' },
    expect: { status: 304, body: '' },
  },
  {
    name: 'If-Modified-Since in the past gives 200',
    method: 'GET',
    path: '/static/1k',
    headers: { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' },
    expect: { status: 200, body: file('1k') },
  },
  {
    name: 'a stale If-None-Match gives 200',
    method: 'GET',
    path: '/static/1k',
    headers: { 'if-none-match': '"0-0"' },
    expect: { status: 200, body: file('1k') },
  },
  {
    name: 'Range bytes=0-99',
    method: 'GET',
    path: '/static/1k',
    headers: { range: 'bytes=0-99' },
    expect: {
      status: 206,
      headers: { 'content-range': 'bytes 0-99/1024', 'content-length': '100' },
      body: file('1k').subarray(0, 100),
    },
  },
  {
    name: 'HEAD with a Range gives the range length',
    method: 'HEAD',
    path: '/static/1k',
    headers: { range: 'bytes=0-99' },
    expect: { status: 206, headers: { 'content-range': 'bytes 0-99/1024', 'content-length': '100' }, body: '' },
  },
  {
    name: 'Range bytes=-10 (suffix)',
    method: 'GET',
    path: '/static/1k',
    headers: { range: 'bytes=-10' },
    expect: {
      status: 206,
      headers: { 'content-range': 'bytes 1014-1023/1024' },
      body: file('1k').subarray(1014),
      headersCheck: expiresFromDate,
    },
  },
  {
    name: 'Range beyond the end gives 416',
    method: 'GET',
    path: '/static/1k',
    headers: { range: 'bytes=5000-' },
    expect: { status: 416, headers: { 'content-range': 'bytes */1024' } },
  },
  { name: 'a missing static file gives 404', method: 'GET', path: '/static/missing.txt', expect: { status: 404 } },
  { name: 'dot-dot segments are refused', method: 'GET', path: '/static/../../etc/passwd', expect: { status: 403 } },
  {
    name: 'encoded dots are refused',
    method: 'GET',
    path: '/static/%2e%2e/%2e%2e/etc/passwd',
    expect: { status: 403 },
  },
  {
    name: 'encoded slashes are refused',
    method: 'GET',
    path: '/static/..%2f..%2fetc%2fpasswd',
    expect: { status: 403 },
  },
  { name: 'encoded NUL is refused', method: 'GET', path: '/static/index.html%00.txt', expect: { status: 403 } },
  { name: 'bad percent-encoding gives 400', method: 'GET', path: '/static/%zz', expect: { status: 400 } },
  {
    name: 'POST /static/1k gives 405',
    method: 'POST',
    path: '/static/1k',
    body: 'x',
    expect: { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } },
  },
  {
    name: 'PUT /upload/a.txt creates',
    method: 'PUT',
    path: '/upload/exchange-a.txt',
    body: uploadBody,
    expect: { status: 201, headers: { location: '/upload/exchange-a.txt' } },
  },
  {
    name: 'PUT /upload/a.txt again replaces',
    method: 'PUT',
    path: '/upload/exchange-a.txt',
    body: uploadBody,
    expect: { status: 204, body: '' },
  },
  {
    name: 'GET /upload/a.txt',
    method: 'GET',
    path: '/upload/exchange-a.txt',
    expect: { status: 200, body: uploadBody },
  },
  { name: 'DELETE /upload/a.txt', method: 'DELETE', path: '/upload/exchange-a.txt', expect: { status: 204 } },
  {
    name: 'DELETE /upload/a.txt again gives 404',
    method: 'DELETE',
    path: '/upload/exchange-a.txt',
    expect: { status: 404 },
  },
  { name: 'GET a missing upload gives 404', method: 'GET', path: '/upload/exchange-a.txt', expect: { status: 404 } },
  {
    name: 'an upload name outside [A-Za-z0-9._-] gives 400',
    method: 'PUT',
    path: '/upload/bad%20name',
    body: 'x',
    expect: { status: 400 },
  },
  {
    name: 'an upload over the limit gives 413',
    method: 'PUT',
    path: '/upload/too-big.bin',
    body: new Uint8Array(maxUploadBytes + 1),
    expect: { status: 413 },
  },
  {
    name: 'GET /redirect/permanent',
    method: 'GET',
    path: '/redirect/permanent',
    expect: { status: 301, headers: { location: '/hello' } },
  },
  {
    name: 'GET /redirect/temporary',
    method: 'GET',
    path: '/redirect/temporary',
    expect: { status: 302, headers: { location: '/hello' } },
  },
  {
    name: 'GET /private without credentials',
    method: 'GET',
    path: '/private',
    expect: { status: 401, headers: { 'www-authenticate': 'Basic realm="server-models", charset="UTF-8"' } },
  },
  {
    name: 'GET /private with wrong credentials',
    method: 'GET',
    path: '/private',
    headers: { authorization: basic('demo:wrong') },
    expect: { status: 401 },
  },
  {
    name: 'GET /private with demo:demo',
    method: 'GET',
    path: '/private',
    headers: { authorization: basic('demo:demo') },
    expect: { status: 200, body: 'Hello, demo!\n' },
  },
  {
    name: 'OPTIONS *',
    method: 'OPTIONS',
    path: '*',
    expect: { status: 204, headers: { allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS' } },
  },
  {
    name: 'OPTIONS /upload/x',
    method: 'OPTIONS',
    path: '/upload/x',
    expect: { status: 204, headers: { allow: 'GET, HEAD, PUT, DELETE, OPTIONS' } },
  },
  {
    name: 'TRACE gives 405',
    method: 'TRACE',
    path: '/hello',
    expect: { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } },
  },
  {
    name: 'DELETE /hello gives 405',
    method: 'DELETE',
    path: '/hello',
    expect: { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } },
  },
  { name: 'an unknown method gives 501', method: 'PROPFIND', path: '/hello', expect: { status: 501 } },
  {
    name: 'an unknown path gives 404',
    method: 'GET',
    path: '/nowhere',
    expect: { status: 404, headers: { 'x-served-by': servedBy } },
  },
  {
    name: 'GET /session without a cookie starts one',
    method: 'GET',
    path: '/session',
    expect: {
      status: 200,
      headers: {
        'content-type': /^application\/json/,
        'set-cookie': newSession,
        vary: 'Cookie',
        'cache-control': 'private, no-store',
      },
      body: '{"visits":1,"first":true}',
    },
  },
  {
    name: 'a forged session cookie starts a new session',
    method: 'GET',
    path: '/session',
    headers: { cookie: `sid=${'A'.repeat(22)}.41.${'A'.repeat(43)}` },
    expect: { status: 200, headers: { 'set-cookie': newSession }, body: '{"visits":1,"first":true}' },
  },
  {
    name: 'a truncated session cookie starts a new session',
    method: 'GET',
    path: '/session',
    headers: { cookie: `sid=${'A'.repeat(22)}.41.${'A'.repeat(20)}` },
    expect: { status: 200, headers: { 'set-cookie': newSession }, body: '{"visits":1,"first":true}' },
  },
  {
    name: 'other cookies and a quoted sid that is not a session start one',
    method: 'GET',
    path: '/session',
    headers: { cookie: 'theme=dark;  sid="x.1.y" ; lang=zh' },
    expect: { status: 200, headers: { 'set-cookie': newSession }, body: '{"visits":1,"first":true}' },
  },
];

/** What is wrong with a response to `exchange`; empty when it is right. */
export function checkResponse(
  exchange: Exchange,
  status: number,
  headers: ResponseHeaders,
  body: Uint8Array,
): string[] {
  const problems: string[] = [];
  const { expect } = exchange;
  if (status !== expect.status) problems.push(`status ${status}, expected ${expect.status}`);
  for (const [name, want] of Object.entries(expect.headers ?? {})) {
    const raw = headers[name];
    const value = Array.isArray(raw) ? raw.join(', ') : raw === undefined ? undefined : String(raw);
    if (value === undefined) problems.push(`no ${name} header`);
    else if (typeof want === 'string' ? value !== want : !want.test(value))
      problems.push(`${name}: ${JSON.stringify(value)}, expected ${String(want)}`);
  }
  for (const name of expect.absentHeaders ?? []) {
    if (headers[name] !== undefined) problems.push(`unexpected ${name} header`);
  }
  const across = expect.headersCheck?.(headers);
  if (across !== undefined) problems.push(across);
  const want = expect.body;
  if (typeof want === 'function') {
    const problem = want(body);
    if (problem !== undefined) problems.push(problem);
  } else if (want !== undefined) {
    const expected = typeof want === 'string' ? Buffer.from(want) : want;
    if (!Buffer.from(body.buffer, body.byteOffset, body.byteLength).equals(expected)) {
      problems.push(
        `body of ${body.length} bytes ${JSON.stringify(Buffer.from(body.subarray(0, 40)).toString('latin1'))}, expected ${expected.length} bytes`,
      );
    }
  }
  return problems;
}

function gunzipText(body: Uint8Array): string | undefined {
  try {
    return gunzipSync(body).toString();
  } catch {
    return undefined;
  }
}

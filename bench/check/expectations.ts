/**
 * What each benchmark request must be answered with, in two layers:
 *
 * - `expectFor`: what any server must do to be timed on the scenario, ours or
 *   not (nginx, a --target-cmd server): status 200, framing that agrees with
 *   the bytes received, and the scenario's content (the exact /hello and /json
 *   bodies of the application's table, the /cpu digest, the echoed body, the
 *   site's file bytes).
 * - `framingFor`: what a user's own server (--target-cmd, --target-url) is held
 *   to on a built-in scenario: status 200 and framing, not our application's
 *   bodies, which it has no reason to serve. A scenario file's requests carry
 *   the checks the file declared instead (bench/plan/scenario-file.ts).
 * - `appExpectFor`: what our application promises on top, taken from its own
 *   table (servers/app/exchanges.ts) so that the tests and the benchmark check
 *   answers against one definition: Content-Type, X-Served-By, ETag,
 *   Cache-Control, ... Only for servers that implement the application.
 */
import { cpuDigest, maxCpuUnits } from '../../servers/app/cpu.ts';
import { checkResponse, exchanges, type Exchange } from '../../servers/app/exchanges.ts';
import { databaseRows } from '../../servers/app/exchanges/database.ts';
import { siteContents } from '../../servers/app/site.ts';
import type { RawResponse } from '../http/client.ts';
import type { LoadRequest } from '../http/request.ts';

/** Failures of one response against its expectation (empty when it is right). */
export type ResponseCheck = (response: RawResponse) => string[];

/**
 * Which promises a server is held to: status and framing alone (a user's server), HTTP's and the
 * scenario's content (nginx), or also our application's (our models, node-http).
 */
export type Contract = 'framing' | 'http' | 'app';

const site = siteContents();
const pathOf = (target: string): string => target.split('?')[0] ?? target;
const queryNumber = (target: string, name: string): number | undefined => {
  const value = new URLSearchParams(target.split('?')[1] ?? '').get(name);
  return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
};

/** Status 200 and a Content-Length that agrees with the body received: all a server of the user's owes a built-in scenario. */
export function framingFor(request: LoadRequest): ResponseCheck {
  const what = `${request.method} ${request.path}`;
  return (response) => {
    const failures: string[] = [];
    if (response.status !== 200) failures.push(`${what}: expected status 200, got ${response.status}`);
    const declared = response.headers['content-length'];
    if (declared !== undefined && Number(declared) !== response.body.length) {
      failures.push(`${what}: Content-Length ${declared} but ${response.body.length} body bytes`);
    }
    return failures;
  };
}

/** The HTTP-level check for one request of a scenario: status, framing and the scenario's content. */
export function expectFor(request: LoadRequest): ResponseCheck {
  const what = `${request.method} ${request.path}`;
  const framing = framingFor(request);
  const content = expectedContent(request);
  return (response) => {
    const failures = framing(response);
    const problem = content(response.body);
    if (problem !== undefined) failures.push(`${what}: ${problem}`);
    return failures;
  };
}

/** The body a scenario's request must get back: a check that returns what is wrong, or undefined. */
function expectedContent(request: LoadRequest): (body: Buffer) => string | undefined {
  const path = pathOf(request.path);
  const row = exactRow(request);
  if (row !== undefined && (typeof row.expect.body === 'string' || row.expect.body instanceof Uint8Array))
    return sameBytes(row.expect.body);
  // A database answer is random rows: the table's check says what shape and ranges they must have.
  const shape = row !== undefined && databaseRows.includes(row) ? row.expect.body : undefined;
  if (typeof shape === 'function') return shape;
  if (path === '/echo') return sameBytes(request.body ?? '');
  if (path.startsWith('/static/')) {
    const file = site.get(path.slice('/static/'.length));
    if (file !== undefined) return sameBytes(file);
  }
  const units = path === '/cpu' ? queryNumber(request.path, 'units') : undefined;
  if (units !== undefined && units <= maxCpuUnits) {
    // Computed at the first check, not when the scenarios are defined: a digest costs the work it verifies.
    let digest: string | undefined;
    return (body) => {
      digest ??= cpuDigest(units);
      return sameBytes(digest)(body);
    };
  }
  // A route whose body the scenario does not pin down (e.g. /io's reply): it must at least say something.
  return (body) => (body.length > 0 ? undefined : 'expected a body, got none');
}

function sameBytes(expected: string | Uint8Array): (body: Buffer) => string | undefined {
  const want =
    typeof expected === 'string'
      ? Buffer.from(expected)
      : Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  return (body) => {
    if (body.equals(want)) return undefined;
    if (want.length > 64 || body.length > 64)
      return `expected ${want.length} body bytes (the expected content), got ${body.length}${body.length === want.length ? ' that differ' : ''}`;
    return `expected body ${JSON.stringify(want.toString('latin1'))}, got ${JSON.stringify(body.toString('latin1'))}`;
  };
}

/**
 * What our application promises for this request beyond HTTP, from its table: the
 * row for exactly this request when there is one (/hello, /json, /static/1k), else
 * the header promises of the row for the same route (/cpu?units=30 takes those of
 * /cpu?units=3), else nothing the table can say. The echo's Content-Type is the
 * one request-specific promise, checked here as the table's echo row states it.
 */
export function appExpectFor(request: LoadRequest): ResponseCheck {
  const what = `${request.method} ${request.path}`;
  const row = exactRow(request) ?? routeRow(request);
  const echoedType = pathOf(request.path) === '/echo' ? headerOf(request, 'content-type') : undefined;
  return (response) => {
    const failures: string[] = [];
    // The body is the HTTP layer's (expectFor): here only the application's status and headers.
    if (row !== undefined) {
      const headersOnly: Exchange = { ...row, expect: { ...row.expect, body: undefined } };
      for (const problem of checkResponse(headersOnly, response.status, response.headers, response.body))
        failures.push(`${what} (the application's ${row.name}): ${problem}`);
    }
    if (echoedType !== undefined && response.headers['content-type'] !== echoedType) {
      failures.push(
        `${what}: the echo must carry the request's Content-Type ${echoedType}, got ${response.headers['content-type'] ?? 'none'}`,
      );
    }
    return failures;
  };
}

/** The rows a benchmark request is checked against: the benchmark runs the database routes with a database. */
const checkedRows: readonly Exchange[] = [...databaseRows, ...exchanges];

/** The table's row for exactly this request: same method and target, neither sending anything that changes the answer. */
function exactRow(request: LoadRequest): Exchange | undefined {
  if (!neutral(request)) return undefined;
  return checkedRows.find((row) => row.method === request.method && row.path === request.path && plain(row));
}

/** The table's 200 row for the same method and route (path without its query), sent without headers or body. */
function routeRow(request: LoadRequest): Exchange | undefined {
  if (!neutral(request)) return undefined;
  const path = pathOf(request.path);
  return checkedRows.find(
    (row) => row.method === request.method && pathOf(row.path) === path && plain(row) && row.expect.status === 200,
  );
}

/** A request without a body whose only header, if any, is Connection (hop-by-hop: it does not change the content). */
const neutral = (request: LoadRequest): boolean =>
  request.body === undefined && Object.keys(request.headers ?? {}).every((name) => name.toLowerCase() === 'connection');

const plain = (row: Exchange): boolean => row.headers === undefined && row.body === undefined;

function headerOf(request: LoadRequest, name: string): string | undefined {
  for (const [key, value] of Object.entries(request.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/**
 * The check a contract asks for: a scenario file's declared check whatever the server; else status and
 * framing, HTTP's and the scenario's, or those and the application's.
 */
export function checksFor(
  request: LoadRequest & { check?: ResponseCheck; declared?: boolean },
  contract: Contract,
): ResponseCheck {
  if (request.declared && request.check) return request.check;
  if (contract === 'framing') return framingFor(request);
  const http = request.check ?? expectFor(request);
  if (contract === 'http') return http;
  const app = appExpectFor(request);
  return (response) => [...http(response), ...app(response)];
}

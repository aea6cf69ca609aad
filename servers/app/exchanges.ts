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
import { noDatabaseRows } from './exchanges/database.ts';
import { dynamicRows } from './exchanges/dynamic.ts';
import { protocolRows } from './exchanges/protocol.ts';
import { sessionRows } from './exchanges/sessions.ts';
import { staticRows } from './exchanges/static.ts';
import type { Exchange, ResponseHeaders } from './exchanges/types.ts';
import { uploadRows } from './exchanges/uploads.ts';

export type { Exchange, ResponseHeaders };

/** Every row, in the order the tests run them (the upload rows depend on it). */
export const exchanges: readonly Exchange[] = [
  ...dynamicRows,
  ...staticRows,
  ...uploadRows,
  ...protocolRows,
  ...sessionRows,
  ...noDatabaseRows,
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

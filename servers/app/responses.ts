/** Building responses: the served-by stamp, constant replies and small helpers shared by the routes. */
import { threadId } from 'node:worker_threads';
import type { HeaderList, HttpResponse } from '../protocol/types.ts';

/** `pid/threadId` of the process and thread running the handler; computed once per thread. */
export const servedBy = `${process.pid}/${threadId}`;
const servedByField: [string, string] = ['X-Served-By', servedBy];

/** A response with the served-by stamp appended to `headers`. */
export function reply(status: number, headers: HeaderList, body: Uint8Array | string = ''): HttpResponse {
  headers.push(servedByField);
  return { status, headers, body };
}

/** A short text/plain reply, for errors and small answers. */
export function text(status: number, body: string, extra: HeaderList = []): HttpResponse {
  return reply(status, [['Content-Type', 'text/plain; charset=utf-8'], ...extra], body);
}

/**
 * A constant reply built once: its headers and body are shared by every request
 * (the serializer only reads them), so the benchmarked routes allocate nothing.
 */
export function constant(status: number, contentType: string, body: string): () => HttpResponse {
  const response: HttpResponse = Object.freeze({
    status,
    headers: Object.freeze([['Content-Type', contentType], servedByField]) as unknown as HeaderList,
    body: Buffer.from(body),
  }) as HttpResponse;
  return () => response;
}

/** The value of `name` in a query string (not decoded: the routes take digits only). */
export function queryParam(query: string, name: string): string | undefined {
  for (const pair of query.split('&')) {
    const eq = pair.indexOf('=');
    if ((eq < 0 ? pair : pair.slice(0, eq)) === name) return eq < 0 ? '' : pair.slice(eq + 1);
  }
  return undefined;
}

/** A non-negative integer no larger than `max`, or undefined. */
export function boundedInt(value: string | undefined, max: number): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= max ? n : undefined;
}

let expiresSecond = -1;
let expiresValue = '';

/**
 * The `Expires` value for a response fresh for `maxAgeSeconds` (RFC 9111 §5.3), for
 * the HTTP/1.0 caches that do not read `max-age`. Read from the clock the
 * serializer's `Date` is read from (Date.now(), whole seconds), and formatted at
 * most once a second as `Date` is. `Date` is read when the response is written,
 * after the handler: the two agree but for a response that crosses a second
 * boundary on its way, whose Expires is then a second early, never late.
 */
export function expiresAfter(maxAgeSeconds: number): string {
  const second = Math.floor(Date.now() / 1000) + maxAgeSeconds;
  if (second !== expiresSecond) {
    expiresSecond = second;
    expiresValue = new Date(second * 1000).toUTCString();
  }
  return expiresValue;
}

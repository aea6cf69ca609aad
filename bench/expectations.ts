/**
 * What each benchmark request must be answered with, from the application's
 * route contract (issue 3: exact bodies for /hello and /json, the echo, the
 * site's file sizes). INTERIM: to be replaced by the application's own table,
 * servers/app/exchanges.ts (`checkResponse`), once it lands, so that the tests
 * and the benchmark check answers against one definition.
 */
import type { RawResponse } from './http-client.ts';
import type { LoadRequest } from './loadgen/types.ts';

/** Failures of one response against its expectation (empty when it is right). */
export type ResponseCheck = (response: RawResponse) => string[];

const fileBytes: Record<string, number> = { '1k': 1024, '16k': 16 * 1024, '1M': 1024 * 1024 };

/** The check for one request of a scenario. */
export function expectFor(request: LoadRequest): ResponseCheck {
  const what = `${request.method} ${request.path}`;
  const path = request.path.split('?')[0] ?? request.path;
  const body = expectedBody(request, path);
  return (response) => {
    const failures: string[] = [];
    if (response.status !== 200) failures.push(`${what}: expected status 200, got ${response.status}`);
    if (body.text !== undefined && response.body.toString() !== body.text) {
      failures.push(`${what}: expected body ${JSON.stringify(body.text.slice(0, 60))}, got ${JSON.stringify(response.body.toString().slice(0, 60))}`);
    }
    if (body.length !== undefined && response.body.length !== body.length) failures.push(`${what}: expected ${body.length} body bytes, got ${response.body.length}`);
    if (body.contentType && !(response.headers['content-type'] ?? '').startsWith(body.contentType)) {
      failures.push(`${what}: expected Content-Type ${body.contentType}, got ${response.headers['content-type'] ?? 'none'}`);
    }
    if (body.nonEmpty && response.body.length === 0) failures.push(`${what}: expected a body, got none`);
    return failures;
  };
}

function expectedBody(request: LoadRequest, path: string): { text?: string; length?: number; contentType?: string; nonEmpty?: boolean } {
  if (path === '/hello') return { text: 'Hello, World!', contentType: 'text/plain' };
  if (path === '/json') return { text: '{"message":"Hello, World!"}', contentType: 'application/json' };
  if (path === '/echo') return { text: request.body ?? '' };
  if (path.startsWith('/static/')) {
    const length = fileBytes[path.slice('/static/'.length)];
    return length === undefined ? { nonEmpty: true } : { length };
  }
  // /cpu's digest and /io's reply are checked for presence until the application's table lands.
  return { nonEmpty: true };
}

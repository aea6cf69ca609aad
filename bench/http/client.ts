/**
 * A small raw HTTP/1.1 client for checking answers before timing: it writes
 * requests exactly as the load generator will (all at once when pipelined),
 * then reads one response per request. Raw bytes rather than node:http, so the
 * check sees pipelining and connection closes as the server really does them.
 */
import { connect } from 'node:net';
import type { LoadRequest } from '../http/request.ts';

/** One parsed response. */
export interface RawResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ', '. */
  headers: Record<string, string>;
  body: Buffer;
}

/** What came back on one connection. */
export interface ConnectionOutcome {
  responses: RawResponse[];
  /** The server closed the connection after the last response. */
  closedByServer: boolean;
}

/** Serialise a request the way the load generators do (Host, Content-Length when there is a body). */
export function serializeRequest(request: LoadRequest, host: string): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = { Host: host, ...(request.headers ?? {}) };
  if (body) headers['Content-Length'] = String(body.length);
  const head = `${request.method} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('')}\r\n`;
  return body ? Buffer.concat([Buffer.from(head), body]) : Buffer.from(head);
}

/** How to send a batch of requests on one connection. */
export interface ExchangeOptions {
  /** Write every request at once (pipelining) rather than each after the previous answer. */
  pipelined: boolean;
  /** Also wait for the server to close the connection. */
  waitForClose?: boolean;
  timeoutMs: number;
}

/** Send `requests` on one connection and collect one response per request. */
export function exchange(url: string, requests: LoadRequest[], options: ExchangeOptions): Promise<ConnectionOutcome> {
  const { hostname, port, host } = new URL(url);
  const heads = requests.map((r) => r.method);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let buffer = Buffer.alloc(0);
    const responses: RawResponse[] = [];
    let settled = false;
    const finish = (error: Error | null, closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve({ responses, closedByServer: closed });
    };
    const timer = setTimeout(() => {
      // Every answer came but the connection stayed open: the caller judges that.
      if (responses.length === requests.length) finish(null, false);
      else
        finish(
          new Error(
            `no complete answer within ${options.timeoutMs} ms (${responses.length} of ${requests.length} responses)`,
          ),
          false,
        );
    }, options.timeoutMs);
    const wire = requests.map((r) => serializeRequest(r, host));
    let written = 0;
    const writeMore = () => {
      const upTo = options.pipelined ? wire.length : Math.min(wire.length, responses.length + 1);
      if (written < upTo) socket.write(Buffer.concat(wire.slice(written, upTo)));
      written = upTo;
    };
    socket.on('connect', writeMore);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      try {
        for (;;) {
          const method = heads[responses.length];
          if (method === undefined) break;
          const parsed = parseResponse(buffer, method === 'HEAD');
          if (!parsed) break;
          responses.push(parsed.response);
          buffer = buffer.subarray(parsed.consumed);
        }
      } catch (error) {
        return finish(error as Error, false);
      }
      if (responses.length === requests.length && !options.waitForClose) finish(null, false);
      else writeMore();
    });
    socket.on('end', () => {
      if (responses.length < requests.length)
        finish(
          new Error(`the server closed the connection after ${responses.length} of ${requests.length} responses`),
          true,
        );
      else finish(null, true);
    });
    socket.on('error', (error) => finish(error, false));
  });
}

/** Parse one response from the start of `data`; null when it is not all there yet. */
export function parseResponse(data: Buffer, noBody = false): { response: RawResponse; consumed: number } | null {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return null;
  const lines = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const statusMatch = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!statusMatch) throw new Error(`not an HTTP/1.x status line: ${JSON.stringify((lines[0] ?? '').slice(0, 80))}`);
  const status = Number(statusMatch[1]);
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed header line: ${JSON.stringify(line.slice(0, 80))}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  const start = headEnd + 4;
  if (noBody || status === 204 || status === 304 || (status >= 100 && status < 200)) {
    return { response: { status, headers, body: Buffer.alloc(0) }, consumed: start };
  }
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) return parseChunked(data, start, status, headers);
  const length = headers['content-length'];
  if (length === undefined)
    throw new Error('a response with neither Content-Length nor chunked encoding (cannot be pipelined or kept alive)');
  const end = start + Number(length);
  if (data.length < end) return null;
  return { response: { status, headers, body: Buffer.from(data.subarray(start, end)) }, consumed: end };
}

function parseChunked(
  data: Buffer,
  start: number,
  status: number,
  headers: Record<string, string>,
): { response: RawResponse; consumed: number } | null {
  const parts: Buffer[] = [];
  let at = start;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd === -1) return null;
    const size = parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('malformed chunk size');
    at = lineEnd + 2;
    if (size === 0) {
      // Trailers, if any, end with a blank line.
      const trailerEnd = data.indexOf('\r\n\r\n', at - 2);
      if (trailerEnd === -1) return null;
      return { response: { status, headers, body: Buffer.concat(parts) }, consumed: trailerEnd + 4 };
    }
    if (data.length < at + size + 2) return null;
    parts.push(data.subarray(at, at + size));
    at += size + 2;
  }
}

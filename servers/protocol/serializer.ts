/**
 * Response -> bytes: the status line, the application's headers, and the
 * headers the protocol owns (Date, Server, Content-Length or chunked framing,
 * Connection). Every core calls this for every response, so it builds the head
 * as one string and writes head and body into one Buffer: one allocation, one
 * socket write. A frozen response (the application's constant replies) is built
 * once a second, when its Date changes, and its bytes reused until then.
 */
import type { HttpResponse } from './types.ts';

/** What the serializer needs to know about the request being answered. */
export interface ResponseContext {
  /** The request's method: a HEAD response carries no body. */
  method: string;
  /** Whether the connection stays open after this response. */
  keepAlive: boolean;
  /** The request's minor version: an HTTP/1.0 client needs `Connection: keep-alive` to keep it. */
  versionMinor: number;
}

/** The `Server` header every response carries. */
export const serverName = 'server-models';

const reasons: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** The RFC 9110 reason phrase for `status` (a generic one for codes without their own). */
export function reasonPhrase(status: number): string {
  return (
    reasons[status] ??
    (status < 200
      ? 'Informational'
      : status < 300
        ? 'Success'
        : status < 400
          ? 'Redirection'
          : status < 500
            ? 'Client Error'
            : 'Server Error')
  );
}

/** The `Date` header's value for `second`, formatted at most once a second (RFC 9110 §6.6.1 needs only seconds). */
let dateSecond = -1;
let dateValue = '';
function httpDate(second: number): string {
  if (second !== dateSecond) {
    dateSecond = second;
    dateValue = new Date(second * 1000).toUTCString();
  }
  return dateValue;
}

/**
 * The last frozen response serialized, for which context and second, and its bytes. A frozen
 * response is one the application never changes (`constant` in ../app/responses.ts), so its bytes
 * stay right until the Date changes: the head of a constant reply is not built again per request.
 */
let frozen: HttpResponse | undefined;
let frozenVariant = -1;
let frozenSecond = -1;
let frozenBytes: Buffer = Buffer.alloc(0);

/** Serialize `res` as the answer to the request described by `ctx`: head and body in one Buffer. */
export function serializeResponse(res: HttpResponse, ctx: ResponseContext): Buffer {
  const second = Math.floor(Date.now() / 1000);
  if (!Object.isFrozen(res)) return serialize(res, ctx, second);
  // What of the context the bytes depend on: keep-alive, HTTP/1.0, and whether a body is sent.
  const variant = (ctx.keepAlive ? 1 : 0) | (ctx.versionMinor === 0 ? 2 : 0) | (ctx.method === 'HEAD' ? 4 : 0);
  if (res !== frozen || variant !== frozenVariant || second !== frozenSecond) {
    frozenBytes = serialize(res, ctx, second);
    frozen = res;
    frozenVariant = variant;
    frozenSecond = second;
  }
  return frozenBytes;
}

function serialize(res: HttpResponse, ctx: ResponseContext, second: number): Buffer {
  const status = res.status;
  let head = `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`;
  let chunked = false;
  let hasLength = false;
  const headers = res.headers;
  for (let k = 0; k < headers.length; k++) {
    const [name, value] = headers[k]!;
    if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      // We always hold the whole body: frame it as one chunk, or by length for HTTP/1.0.
      chunked = ctx.versionMinor > 0;
      if (!chunked) continue;
    } else if (name.length === 14 && name.toLowerCase() === 'content-length') {
      hasLength = true;
    }
    if (unsafe(name) || unsafe(value)) throw new TypeError(`Response header ${name} contains CR or LF`);
    head += `${name}: ${value}\r\n`;
  }
  head += `Date: ${httpDate(second)}\r\nServer: ${serverName}\r\n`;
  if (!ctx.keepAlive) head += 'Connection: close\r\n';
  else if (ctx.versionMinor === 0) head += 'Connection: keep-alive\r\n';

  const body = res.body;
  const bodyLength = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  // RFC 9110 §6.4.1, §8.6: no content in 1xx, 204, 304 or an answer to HEAD; no length in 1xx and 204.
  const noLength = status < 200 || status === 204;
  const sendBody = !(noLength || status === 304 || ctx.method === 'HEAD');
  if (chunked) {
    if (!sendBody) return Buffer.from(`${head}\r\n`, 'latin1');
    if (bodyLength === 0) return Buffer.from(`${head}\r\n0\r\n\r\n`, 'latin1');
    head += `\r\n${bodyLength.toString(16)}\r\n`;
    const out = Buffer.allocUnsafe(head.length + bodyLength + 7);
    writeBody(out, out.write(head, 0, 'latin1'), body, bodyLength);
    out.write('\r\n0\r\n\r\n', head.length + bodyLength, 'latin1');
    return out;
  }
  if (!hasLength && !noLength && status !== 304) head += `Content-Length: ${bodyLength}\r\n`;
  head += '\r\n';
  if (!sendBody || bodyLength === 0) return Buffer.from(head, 'latin1');
  const out = Buffer.allocUnsafe(head.length + bodyLength);
  writeBody(out, out.write(head, 0, 'latin1'), body, bodyLength);
  return out;
}

function writeBody(out: Buffer, at: number, body: Uint8Array | string, length: number): void {
  if (typeof body === 'string') out.write(body, at, length, 'utf8');
  else out.set(body, at);
}

/** A header that would split the response (CR or LF inside a name or value). */
function unsafe(text: string): boolean {
  return text.includes('\n') || text.includes('\r');
}

/** A small text/plain answer for a parse error or a failure before the application ran. */
export function errorResponse(status: number, message?: string): HttpResponse {
  return {
    status,
    headers: [['Content-Type', 'text/plain; charset=utf-8']],
    body: `${message ?? `${status} ${reasonPhrase(status)}`}\n`,
  };
}

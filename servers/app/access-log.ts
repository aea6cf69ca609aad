/**
 * The access log in Common Log Format: `host ident user [date] "request line" status bytes`.
 *
 * Every process or thread that writes responses (the prefork workers, the reuseport
 * threads) opens the file itself with O_APPEND and writes whole lines only, in one
 * write(2) per batch: Linux appends each write to a regular file atomically (under the
 * inode's lock), so lines from different writers never interleave mid-line. This is how
 * nginx's and Apache's worker processes share one log; sending the lines to a parent
 * instead would add an IPC hop per batch and a process every writer depends on.
 */
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { getHeader, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import { fileToSend } from './file-body.ts';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** CLF's date, `10/Oct/2000:13:55:36 +0000` (always UTC). */
export function clfDate(date: Date): string {
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** One entry of the log. */
export interface AccessEntry {
  host: string;
  user?: string | undefined;
  date: Date;
  /** The request line's parts; without `method` (a request that could not be parsed) the request is logged as `-`. */
  method?: string | undefined;
  target?: string | undefined;
  version?: string | undefined;
  status: number;
  /** Bytes of content sent, headers excluded (CLF's `%b`); 0 is logged as `-`. */
  bytes: number;
}

/** One CLF line, without its newline. */
export function formatAccessLine(e: AccessEntry): string {
  const request =
    e.method === undefined
      ? '-'
      : `${e.method} ${e.target ?? ''} HTTP/${e.version ?? '1.1'}`.replace(/["\\]/g, (c) => `\\${c}`);
  return `${e.host} - ${e.user || '-'} [${clfDate(e.date)}] "${request}" ${e.status} ${e.bytes > 0 ? e.bytes : '-'}`;
}

/** Bytes of content a response puts on the wire: none for HEAD, 1xx, 204 and 304 (as the serializer frames it). */
export function contentBytes(method: string, response: HttpResponse): number {
  const status = response.status;
  if (method === 'HEAD' || status < 200 || status === 204 || status === 304) return 0;
  // A streamed file's bytes are not in the body: the range that goes on the wire is.
  const file = fileToSend(response, method);
  if (file) return file.end - file.start;
  const body = response.body;
  return typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
}

/** The user name a `Basic` Authorization header gives (CLF's `%u`), unchecked; undefined when there is none. */
export function basicUser(request: HttpRequest): string | undefined {
  const match = /^basic +([A-Za-z0-9+/=]+)$/i.exec(getHeader(request.headers, 'authorization') ?? '');
  if (!match?.[1]) return undefined;
  const credentials = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  // A user name is logged between spaces: keep it to printable characters without spaces.
  return colon > 0 ? credentials.slice(0, colon).replace(/[^\x21-\x7e]/g, '?') : undefined;
}

/** Flush once this many lines wait, whatever the timer says: bounds memory and the size of one write. */
const maxPendingLines = 512;

/**
 * Appends lines to a file opened once with O_APPEND, buffered and flushed in batches
 * so that logging does not cost a system call per request; `close()` flushes what is
 * left. Opening happens in the constructor, so that a server with an unwritable log
 * fails at start rather than at its first request.
 */
export class AccessLog {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private fd: number | undefined;

  constructor(
    readonly file: string,
    private readonly flushEveryMs = 200,
  ) {
    this.fd = openSync(file, 'a');
  }

  write(entry: AccessEntry): void {
    if (this.fd === undefined) return;
    this.pending.push(formatAccessLine(entry));
    if (this.pending.length >= maxPendingLines) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushEveryMs).unref();
  }

  /** The response to `request` has been handed to the socket of a client at `host`. */
  logResponse(host: string | undefined, request: HttpRequest, response: HttpResponse): void {
    this.write({
      host: host ?? '-',
      user: response.status === 401 ? undefined : basicUser(request),
      date: new Date(),
      method: request.method,
      target: request.target,
      version: `${request.versionMajor}.${request.versionMinor}`,
      status: response.status,
      bytes: contentBytes(request.method, response),
    });
  }

  /** A response sent without a request to answer (a parse error, a request head that timed out). */
  logRejection(host: string | undefined, response: HttpResponse): void {
    this.write({ host: host ?? '-', date: new Date(), status: response.status, bytes: contentBytes('GET', response) });
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.fd === undefined) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    // One write(2) of whole lines (appendFileSync only loops on a short write, e.g. a full disk).
    appendFileSync(this.fd, text);
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

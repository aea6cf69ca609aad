/**
 * The counted figures' load: one kept-alive connection, one request at a time
 * (no pipelining), raw `node:net`, so that the server does the same work for
 * every request and nothing but the requests asked for reaches it. Every
 * response is checked (status 200, framed by Content-Length, nothing after it)
 * before the next request goes out: a block counts exactly its requests.
 */
import { connect, type Socket } from 'node:net';

/** One request of a scenario's cycle (the shape of the bench's LoadRequest). */
export interface CountedRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** The wire bytes of a request: Host, Content-Length when there is a body, the request's own headers. */
export function requestBytes(request: CountedRequest, host: string): Buffer {
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Record<string, string> = { Host: host, ...(request.headers ?? {}) };
  if (body !== undefined) headers['Content-Length'] = String(body.length);
  const head = `${request.method} ${request.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return body === undefined ? Buffer.from(head) : Buffer.concat([Buffer.from(head), body]);
}

/** A response that fails the check: the block it was in counts nothing. */
export class ResponseError extends Error {}

/** Parse one response at the start of `buffer`: its length once complete, undefined while incomplete. */
export function completeResponseLength(buffer: Buffer, label: string): number | undefined {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    if (buffer.length > 64 * 1024) throw new ResponseError(`${label}: no end of the head in 64 KiB`);
    return undefined;
  }
  const lines = buffer.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1];
  if (status !== '200') throw new ResponseError(`${label}: status line "${lines[0]}", expected 200`);
  let length: number | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'transfer-encoding')
      throw new ResponseError(`${label}: Transfer-Encoding ${value}, expected Content-Length`);
    if (name === 'connection' && value.toLowerCase() === 'close')
      throw new ResponseError(`${label}: the server closes the kept-alive connection`);
    if (name === 'content-length') {
      if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value)))
        throw new ResponseError(`${label}: Content-Length "${value}"`);
      length = Number(value);
    }
  }
  if (length === undefined) throw new ResponseError(`${label}: no Content-Length`);
  const total = headEnd + 4 + length;
  return buffer.length >= total ? total : undefined;
}

/** One kept-alive connection that sends a cycle of requests, one at a time. */
export class SequentialClient {
  readonly #port: number;
  readonly #host: string;
  readonly #wire: Buffer[];
  readonly #timeoutMs: number;
  #socket: Socket | undefined;
  /** Index of the next request in the cycle: the cycle carries on across blocks. */
  #next = 0;
  /** Connections opened so far (a server may close an idle one between blocks). */
  connections = 0;

  constructor(url: string, requests: CountedRequest[], timeoutMs: number) {
    const { hostname, port, host } = new URL(url);
    if (requests.length === 0) throw new Error('a scenario needs at least one request');
    this.#host = hostname;
    this.#port = Number(port);
    this.#wire = requests.map((request) => requestBytes(request, host));
    this.#timeoutMs = timeoutMs;
  }

  /** Open the connection if there is none (call it outside a counted block). */
  async ready(): Promise<void> {
    if (this.#socket !== undefined && !this.#socket.destroyed && !this.#socket.readableEnded) return;
    this.#socket?.destroy();
    const socket = connect(this.#port, this.#host);
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    this.#socket = socket;
    this.connections++;
  }

  /** Send `count` requests one after the other; reject on the first wrong or missing answer. */
  async run(count: number): Promise<void> {
    await this.ready();
    const socket = this.#socket!;
    let buffer: Buffer = Buffer.alloc(0);
    let done = 0;
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (error?: Error): void => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('close', onClose);
        socket.off('error', onError);
        if (error === undefined) resolve();
        else {
          socket.destroy();
          reject(error);
        }
      };
      const arm = (): void => {
        clearTimeout(timer);
        timer = setTimeout(
          () => finish(new ResponseError(`request ${done + 1} of ${count}: no answer in ${this.#timeoutMs} ms`)),
          this.#timeoutMs,
        );
      };
      const send = (): void => {
        arm();
        socket.write(this.#wire[this.#next]!);
        this.#next = (this.#next + 1) % this.#wire.length;
      };
      const onData = (chunk: Buffer): void => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        try {
          const length = completeResponseLength(buffer, `request ${done + 1} of ${count}`);
          if (length === undefined) return;
          if (buffer.length > length) throw new ResponseError(`request ${done + 1}: bytes after the response`);
        } catch (error) {
          return finish(error as Error);
        }
        buffer = Buffer.alloc(0);
        if (++done === count) return finish();
        send();
      };
      const onClose = (): void => finish(new ResponseError(`connection closed after ${done} of ${count} responses`));
      const onError = (error: Error): void => finish(error);
      socket.on('data', onData);
      socket.on('close', onClose);
      socket.on('error', onError);
      if (count === 0) return finish();
      send();
    });
  }

  close(): void {
    this.#socket?.destroy();
    this.#socket = undefined;
  }
}

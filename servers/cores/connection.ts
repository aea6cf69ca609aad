/**
 * The per-connection HTTP/1.1 driver every core shares: it feeds the parser, answers pipelined
 * requests strictly in order, times out idle keep-alive connections, slow request heads and requests
 * whose bytes stop coming, answers `Expect: 100-continue` before it reads a body, stops building
 * responses for a client that does not read them, sends a body that lies in a file in bounded chunks
 * (file-stream.ts), answers a parse error with its status and closes, and drains on shutdown. The
 * cores differ only in the `Dispatch` they pass: where and how a request's handler runs.
 *
 * A connection is in one `State` at a time; each state has at most one deadline:
 *
 *          any byte (blank lines too)        head complete (100 Continue, or 417)
 *   Idle ───────────────────────▶ Head ─────────────────────▶ Body
 *    ▲ │ (keep-alive)               │ (408)                     │ (408)
 *    │ │            ┌───────────────┴──── request parsed ◀──────┘
 *    │ │            ▼
 *    │ └───────▶ Handling ──response written, keep-alive──▶ (the next queued request, or Idle/Head/Body)
 *    │              │  │ the write buffer passed its high-water mark
 *    │              │  └──────────▶ Sending ──'drain'──▶ (the next queued request, or Idle/Head/Body)
 *    │              │ client gone     │ (cut: the client reads nothing)    │ response written, close
 *    │              ▼                 ▼                                    ▼
 *    │           Orphaned ──handler done──▶ Gone ◀─────────────────── Closing (FIN sent; lingering)
 *    └───────────────────── close(), idle timeout, parse error ──▶ Closing
 */
import type { Socket } from 'node:net';
import { AccessLog } from '../app/access-log.ts';
import { RequestParser } from '../protocol/parser.ts';
import { errorResponse, serializeResponse } from '../protocol/serializer.ts';
import type { HttpRequest, HttpResponse } from '../protocol/types.ts';
import { continueBytes, expectationOf, pendingExpectation } from './expectation.ts';
import type { ConnectionSettings, Dispatch } from './connection-settings.ts';
import { sendFile } from './file-stream.ts';
import { withInjection } from './inject.ts';

export type { ConnectionSettings, Dispatch };

/** How long a closing connection may keep sending before it is cut (see `Connection.#end`). */
const lingerMs = 2_000;
/** Stop reading while this many parsed requests wait for their turn (a pipelining flood). */
const maxQueued = 64;

/** Where a connection is (see the diagram above). The order matters: from `Closing` on, nothing more is read. */
const enum State {
  /** Between requests: waiting for the first byte of the next (deadline: keep-alive). */
  Idle,
  /** A request's head is arriving (deadline: the head timeout, from its first byte). */
  Head,
  /** The head is complete, its body is arriving (deadline: the request timeout and its minimum rate). */
  Body,
  /** A handler runs, or a body in a file goes out (file-stream.ts); bytes that arrive meanwhile are queued. */
  Handling,
  /**
   * A response waits in our write buffer past its high-water mark: the client is not reading.
   * Nothing more is read, parsed or dispatched until 'drain' (deadline: the send timeout, moved
   * on while the buffer shrinks), so that a client cannot make us build responses it never takes.
   */
  Sending,
  /** Our FIN is sent; the client's bytes are read and dropped (deadline: linger, then cut). */
  Closing,
  /** The socket closed while a handler ran: counted until it settles, so close() waits for it. */
  Orphaned,
  /** The socket is closed and nothing runs: released. */
  Gone,
}

/** The open connections of one server, with the clock that expires their deadlines. */
export class Connections {
  readonly #open = new Set<Connection>();
  readonly #sweep: NodeJS.Timeout;
  #draining = false;
  #onEmpty: (() => void) | undefined;
  /** Opened here, in the process or thread that writes the responses; closed when the drain ends. */
  readonly log: AccessLog | undefined;
  readonly dispatch: Dispatch;

  constructor(
    dispatch: Dispatch,
    readonly settings: ConnectionSettings,
  ) {
    this.dispatch = withInjection(dispatch, settings.inject);
    this.log = settings.accessLog === undefined ? undefined : new AccessLog(settings.accessLog);
    // One interval per server instead of one timer per connection (node:http does the same):
    // the hot path only stores a number, and a deadline fires within a quarter of its span.
    const { keepAliveTimeoutMs, headersTimeoutMs, sendTimeoutMs, requestTimeoutMs } = settings;
    const shortest = Math.min(keepAliveTimeoutMs, headersTimeoutMs, sendTimeoutMs, requestTimeoutMs);
    const period = Math.min(1_000, Math.max(10, shortest / 4));
    this.#sweep = setInterval(() => this.#expire(), period);
    this.#sweep.unref();
  }

  get draining(): boolean {
    return this.#draining;
  }

  /** Start serving a socket; `onClose` runs once it is gone. */
  serve(socket: Socket, onClose?: () => void): void {
    this.#open.add(new Connection(socket, this, onClose));
  }

  /** @internal */
  closed(connection: Connection): void {
    this.#open.delete(connection);
    if (this.#draining && this.#open.size === 0) this.#onEmpty?.();
  }

  /** Let in-flight requests finish, close every connection, and cut those still open after `timeoutMs`. */
  drain(timeoutMs: number): Promise<void> {
    this.#draining = true;
    const done = new Promise<void>((resolve) => {
      this.#onEmpty = resolve;
    });
    for (const connection of this.#open) connection.drain();
    if (this.#open.size === 0) this.#onEmpty?.();
    const cut = setTimeout(() => {
      for (const connection of this.#open) connection.destroy();
    }, timeoutMs);
    return done.finally(() => {
      clearTimeout(cut);
      clearInterval(this.#sweep);
      this.log?.close();
    });
  }

  #expire(): void {
    const now = Date.now();
    for (const connection of this.#open) connection.expire(now);
  }
}

/** One socket's requests and responses. Methods are bound once, so a request allocates no closures. */
class Connection {
  /** Whether the client is still there (see Dispatch). */
  readonly connected: () => boolean;
  readonly #socket: Socket;
  readonly #owner: Connections;
  readonly #parser: RequestParser;
  readonly #queue: HttpRequest[] = [];
  readonly #onClose: (() => void) | undefined;
  #state = State.Idle;
  /** When the current state's deadline passes (ms since the epoch); 0 for none. */
  #deadline = 0;
  /** When the first byte of the request being read arrived (0: none yet): the timeouts count from it. */
  #requestStart = 0;
  /** Bytes received since `#requestStart`, and when the last of them came: the minimum rate's figures. */
  #requestBytes = 0;
  #lastByte = 0;
  /** The chunks the request being read began with, while its head arrives (see `#bodyExpected`). */
  #headChunks: Buffer[] | undefined;
  /** Bytes in the write buffer at the last sweep while Sending: less now means the client reads. */
  #unsent = 0;
  #current: HttpRequest | undefined;

  constructor(socket: Socket, owner: Connections, onClose: (() => void) | undefined) {
    this.#socket = socket;
    this.#owner = owner;
    this.#onClose = onClose;
    this.#parser = new RequestParser(owner.settings.limits);
    this.onData = this.onData.bind(this);
    this.onResponse = this.onResponse.bind(this);
    this.onFailure = this.onFailure.bind(this);
    this.uncork = this.uncork.bind(this);
    this.connected = () => this.#state !== State.Orphaned && !this.#socket.destroyed;
    socket.setNoDelay(true);
    socket.on('data', this.onData);
    socket.on('drain', () => (this.#state === State.Sending ? this.#next() : this.#resumeReading()));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      // A handler still running (the client left) keeps the connection counted,
      // so that close() also waits for it: no worker or child is cut mid-request.
      if (this.#state === State.Handling) this.#state = State.Orphaned;
      else this.#release();
    });
    this.#enter(State.Idle, owner.settings.keepAliveTimeoutMs);
  }

  onData(chunk: Buffer): void {
    // A closing connection keeps reading so that unread bytes do not turn our FIN into a
    // reset that could destroy the response still in flight (a "lingering close").
    if (this.#state >= State.Closing || this.#parser.error) return;
    const wasIdle = this.#parser.idle;
    const wasInHead = this.#parser.inHead;
    const requests = this.#parser.push(chunk);
    const count = requests.length;
    if (count > 1 && this.#socket.writableCorked === 0 && this.#owner.settings.batchPipelined !== false) {
      // A pipelined batch: gather the responses that are ready within this turn of the
      // loop into one write. Uncorked on the next turn, not when the batch is done, so
      // that a slow request in the batch does not hold back the answers before it.
      this.#socket.cork();
      setImmediate(this.uncork);
    }
    for (let i = 0; i < count; i++) this.#queue.push(requests[i]!);
    if (this.#queue.length >= maxQueued) this.#socket.pause();
    // Keep the head's bytes while it arrives, for its `Expect`, when it began with a chunk. One that
    // began after another request in its chunk is not looked for (its client waits, then sends).
    if (count > 0 || this.#parser.idle) this.#headChunks = undefined;
    else if (wasIdle) this.#headChunks = [chunk];
    else if (wasInHead) this.#headChunks?.push(chunk);
    // The timeouts run from a request's first byte, blank lines before it included (RFC 9112 §2.2
    // lets a server skip them, not wait for them forever): trickling bytes cannot extend the head's.
    if (count > 0) this.#requestStart = 0; // complete: whatever follows in the chunk begins the next
    if (count === 0 || !this.#parser.idle) {
      const now = Date.now();
      if (this.#requestStart === 0) {
        this.#requestStart = now;
        this.#requestBytes = 0;
      }
      this.#requestBytes += chunk.length;
      this.#lastByte = now;
    }
    // While a handler runs or a response waits for the client, the bytes only queue.
    if (this.#state < State.Handling) this.#next();
  }

  onResponse(response: HttpResponse): void {
    if (this.#write(response)) this.#next();
  }

  /** Write the answer to the current request; true when the next queued request may run now. */
  #write(response: HttpResponse): boolean {
    const request = this.#current!;
    this.#current = undefined;
    if (this.#state !== State.Handling || this.#socket.destroyed) {
      // The client left (Orphaned), or the connection was cut: nothing to write to.
      if (this.#state === State.Orphaned) this.#release();
      else if (this.#state === State.Handling) this.#state = State.Closing; // 'close' follows
      return false;
    }
    const keepAlive = request.keepAlive && !request.upgrade && !this.#owner.draining;
    const context = { method: request.method, keepAlive, versionMinor: request.versionMinor };
    if (sendFile(this.#socket, request, response, context, this.#owner, () => this.#sent(keepAlive))) return false;
    const flowing = this.#socket.write(serializeResponse(response, context));
    this.#owner.log?.logResponse(this.#socket.remoteAddress, request, response);
    if (!keepAlive) {
      this.#end();
      return false;
    }
    if (flowing) return true;
    // Backpressure: the client is not taking what we send. Build nothing more for it until it does.
    this.#socket.pause();
    this.#unsent = this.#socket.writableLength;
    this.#enter(State.Sending, this.#owner.settings.sendTimeoutMs);
    return false;
  }

  /** A body in a file is out, in chunks (file-stream.ts), or its socket closed: on as after any response written. */
  #sent(keepAlive: boolean): void {
    if (this.#state === State.Orphaned) this.#release();
    else if (this.#state === State.Handling) keepAlive ? this.#next() : this.#end();
  }

  uncork(): void {
    if (this.#socket.writableCorked > 0) this.#socket.uncork();
  }

  onFailure(error: unknown): void {
    this.onResponse(failed(error));
  }

  #release(): void {
    if (this.#state === State.Gone) return;
    this.#enter(State.Gone, 0);
    this.#owner.closed(this);
    this.#onClose?.();
  }

  /** Run the next queued request, or settle in the state the parser is in when there is none. */
  #next(): void {
    for (let request = this.#queue.shift(); request !== undefined; request = this.#queue.shift()) {
      this.#enter(State.Handling, 0);
      this.#current = request;
      // An expectation we cannot meet is answered 417 without running the handler, as a response in turn.
      const answer =
        expectationOf(request) === 'unmet' ? errorResponse(417) : this.#owner.dispatch(request, this.connected);
      if (answer instanceof Promise) {
        answer.then(this.onResponse, this.onFailure);
        return;
      }
      // An answer the handler had at once is written now, and the next queued request runs in this loop.
      if (!this.#write(answer)) return;
    }
    const error = this.#parser.error;
    if (error !== undefined) {
      // Earlier pipelined requests have been answered; now the error, then close.
      this.#reject(error.status);
      return this.#end();
    }
    this.#resumeReading();
    const { headersTimeoutMs } = this.#owner.settings;
    if (this.#parser.inHead || (this.#parser.idle && this.#requestStart !== 0))
      return this.#enterReading(State.Head, Math.min(this.#requestStart + headersTimeoutMs, this.#requestDeadline()));
    if (!this.#parser.idle) {
      if (this.#state !== State.Body && !this.#bodyExpected()) return;
      return this.#enterReading(State.Body, this.#requestDeadline());
    }
    if (this.#owner.draining) return this.#end();
    this.#enter(State.Idle, this.#owner.settings.keepAliveTimeoutMs);
  }

  /**
   * The head is complete and its body is to come: answer its `Expect` now, in turn (no handler
   * runs on this connection). 100 Continue lets the client send; an unmet expectation is
   * answered 417 and the connection closed, its body unread. False when the connection ends.
   */
  #bodyExpected(): boolean {
    const head = this.#headChunks;
    this.#headChunks = undefined;
    if (head === undefined) return true;
    const expectation = pendingExpectation(head.length === 1 ? head[0]! : Buffer.concat(head));
    if (expectation === 'continue') this.#socket.write(continueBytes);
    if (expectation !== 'unmet') return true;
    this.#reject(417);
    this.#end();
    return false;
  }

  /** Answer `status` to bytes that are not a request we can answer (the connection closes after it). */
  #reject(status: number): void {
    const response = errorResponse(status);
    this.#socket.write(serializeResponse(response, { method: 'GET', keepAlive: false, versionMinor: 1 }));
    this.#owner.log?.logRejection(this.#socket.remoteAddress, response);
  }

  #resumeReading(): void {
    if (this.#state >= State.Closing || this.#socket.writableNeedDrain || this.#queue.length >= maxQueued) return;
    if (this.#socket.isPaused()) this.#socket.resume();
  }

  /** Send our FIN, keep draining the client's bytes, and cut the socket if it lingers. */
  #end(): void {
    if (this.#state >= State.Closing) return;
    this.#queue.length = 0;
    this.#enter(State.Closing, lingerMs);
    if (this.#socket.isPaused()) this.#socket.resume();
    if (!this.#socket.writableEnded) this.#socket.end();
  }

  /** Enter `state`, with a deadline `span` ms from now (0: none). */
  #enter(state: State, span: number): void {
    this.#state = state;
    this.#deadline = span === 0 ? 0 : Date.now() + span;
  }

  /** Enter a reading state, with a deadline that counts from the request's first byte, not from now. */
  #enterReading(state: State.Head | State.Body, deadline: number): void {
    this.#state = state;
    this.#deadline = deadline;
  }

  /**
   * When the request being read must be complete: `requestTimeoutMs` after its first byte, plus one
   * second for every `minRequestBytesPerSecond` bytes received (Apache mod_reqtimeout's MinRate),
   * but never later than `requestTimeoutMs` after the last byte, so bytes that stop coming are cut.
   */
  #requestDeadline(): number {
    const { requestTimeoutMs, minRequestBytesPerSecond } = this.#owner.settings;
    const earned = (this.#requestBytes * 1000) / minRequestBytesPerSecond;
    return Math.min(this.#requestStart + requestTimeoutMs + earned, this.#lastByte + requestTimeoutMs);
  }

  /** Called by the owner's sweep. */
  expire(now: number): void {
    if (this.#deadline === 0 || now < this.#deadline) return;
    switch (this.#state) {
      case State.Idle:
        return this.#end();
      case State.Head:
      case State.Body:
        // 408, as node:http answers a request that did not arrive in time.
        this.#reject(408);
        return this.#end();
      case State.Sending:
        if (this.#socket.writableLength < this.#unsent) {
          // Slow but reading: the send timeout counts from the last progress, as nginx's send_timeout.
          this.#unsent = this.#socket.writableLength;
          return this.#enter(State.Sending, this.#owner.settings.sendTimeoutMs);
        }
        return this.destroy();
      case State.Closing:
        return this.destroy();
    }
  }

  /** Begin a graceful close: finish what has been received, then end. */
  drain(): void {
    if (this.#state === State.Idle) this.#end();
  }

  /** Cut the connection now, and stop waiting for a handler still running on it. */
  destroy(): void {
    this.#socket.destroy();
    // 'close' follows and releases the connection, even if a handler still runs on it.
    if (this.#state === State.Handling) this.#state = State.Closing;
  }
}

/** The answer to a request whose handler failed (its cause goes to the server's log only). */
function failed(error: unknown): HttpResponse {
  process.emitWarning(`handler failed: ${(error as Error)?.message ?? String(error)}`);
  return errorResponse(500);
}

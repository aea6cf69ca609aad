/**
 * The incremental HTTP/1.1 request parser every core shares. Bytes go in, in
 * chunks of any size (one byte at a time works); complete requests come out, in
 * order. No I/O, no timers: the core owns the socket and the clocks.
 *
 * It is a byte-level state machine in the style of llhttp, strict where
 * leniency is a request-smuggling hole (RFC 9112 §2.2, §5, §6, §7): bare CR or
 * LF, whitespace before a colon, obs-fold, conflicting framing headers and
 * malformed chunk sizes are typed errors, never guesses. This file is the
 * machine's outer loop: a request goes through the phases below, and each phase's
 * byte-level states live in the module that reads that part, with tight loops
 * over lookup tables (chars.ts):
 *
 *   phase     what it reads                                states          where
 *   Head      request line, field lines; then the framing  Start … HeadLF  whole-head.ts, head.ts, decode.ts,
 *                                                                          framing.ts
 *   Length    a Content-Length body                        (a byte count)  body.ts
 *   Chunked   chunk-size lines, extensions, chunk data     Size … DataLF   body.ts
 *   Trailers  the field lines after the last chunk         FieldStart …    head.ts, decode.ts
 *   Stopped   nothing: after close, an upgrade or CONNECT
 *
 * The request-target's form and Host are checked in target.ts, each part's
 * limits in limits.ts; every rejection is an HttpParseError (errors.ts). The
 * working state the modules share is a ParseState (state.ts), which this class
 * keeps private.
 */
import { beginChunked, beginLengthBody, chunkedBody, readChunks, readLengthBody } from './body.ts';
import { HttpParseError } from './errors.ts';
import { headRequest, trailerFields } from './decode.ts';
import { CHUNKED, framing } from './framing.ts';
import { awaitRequest, beginTrailers, betweenRequests, readHead } from './head.ts';
import { EMPTY, ParseState } from './state.ts';
import { defaultLimits, type HttpRequest, type ParserLimits } from './types.ts';

/** Which part of a request the parser is reading (see the module comment). */
const enum Phase {
  Head,
  Length,
  Chunked,
  Trailers,
  Stopped,
}

/** Incremental request parser for one connection. See the module comment. */
export class RequestParser {
  readonly #p: ParseState;
  #phase = Phase.Head;
  #error: HttpParseError | undefined;
  /** Stream offset of the byte after the last request when the parser stopped (close or upgrade). */
  #stoppedAt = -1;
  /** Bytes kept from earlier pushes (a head or trailer section still arriving), with room to append. */
  #kept: Buffer = EMPTY;
  #keptLength = 0;
  /** The request whose body is being read. */
  #request: HttpRequest | undefined;
  #stopAfter = false;

  constructor(limits?: Partial<ParserLimits>) {
    this.#p = new ParseState({ ...defaultLimits, ...limits });
  }

  /** The error that stopped the parser, if any. Later input is ignored. */
  get error(): HttpParseError | undefined {
    return this.#error;
  }

  /** True when no partial request is buffered (between requests, or stopped). */
  get idle(): boolean {
    const phase = this.#phase;
    return (phase === Phase.Head && betweenRequests(this.#p)) || phase === Phase.Stopped;
  }

  /** True while the current request's head (request line + headers), or its trailer section, is incomplete. */
  get inHead(): boolean {
    const phase = this.#phase;
    return (phase === Phase.Head && !betweenRequests(this.#p)) || phase === Phase.Trailers;
  }

  /**
   * Set once the parser stopped after a request that ends the HTTP exchange (`Connection:
   * close`, HTTP/1.0 without keep-alive, an upgrade or CONNECT): the stream offset where the
   * bytes it will not read begin (for an upgrade, the new protocol's first byte).
   */
  get stoppedAt(): number | undefined {
    return this.#stoppedAt < 0 ? undefined : this.#stoppedAt;
  }

  /** Stream offset of the next byte to be pushed. */
  get offset(): number {
    return this.#p.base + this.#keptLength;
  }

  /** Feed bytes; returns the requests these bytes completed, in order. */
  push(chunk: Uint8Array): HttpRequest[] {
    const out: HttpRequest[] = [];
    if (this.#error !== undefined || this.#phase === Phase.Stopped) return out;
    let buf: Buffer;
    let from: number;
    if (this.#keptLength > 0) {
      from = this.#keptLength;
      buf = this.#append(chunk);
    } else {
      from = 0;
      buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    }
    const end = buf.length;
    const phase = this.#phase;
    const state = this.#p.state;
    try {
      this.#run(buf, from, end, out);
    } catch (error) {
      if (!(error instanceof HttpParseError)) throw error;
      this.#error = error;
      // `idle` and `inHead` go on describing where this push began, as the cores expect.
      this.#phase = phase;
      this.#p.state = state;
    }
    this.#keep(buf, end);
    return out;
  }

  #append(chunk: Uint8Array): Buffer {
    const need = this.#keptLength + chunk.length;
    if (need > this.#kept.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#kept.length * 2));
      this.#kept.copy(grown, 0, 0, this.#keptLength);
      this.#kept = grown;
    }
    this.#kept.set(chunk, this.#keptLength);
    this.#keptLength = need;
    return this.#kept.subarray(0, need);
  }

  /** After a push: keep the bytes of a head or trailer section still arriving, drop the rest. */
  #keep(buf: Buffer, end: number): void {
    const p = this.#p;
    const streamEnd = p.base + end;
    if (this.#error !== undefined || this.#phase === Phase.Stopped) {
      this.#kept = EMPTY;
      this.#keptLength = 0;
      p.base = streamEnd;
      return;
    }
    if (!this.inHead) {
      this.#keptLength = 0;
      p.base = streamEnd;
      return;
    }
    const keepFrom = this.#phase === Phase.Trailers ? p.fieldsStart : p.start;
    const from = keepFrom - p.base;
    const length = end - from;
    if (buf.buffer === this.#kept.buffer && buf.byteOffset === this.#kept.byteOffset) {
      if (from > 0) this.#kept.copyWithin(0, from, end);
    } else {
      if (this.#kept.length < length) this.#kept = Buffer.allocUnsafe(Math.max(length * 2, 1024));
      buf.copy(this.#kept, 0, from, end);
    }
    this.#keptLength = length;
    p.base = keepFrom;
  }

  /** The state machine's outer loop: consume buf[i..end), appending completed requests to `out`. */
  #run(buf: Buffer, i: number, end: number, out: HttpRequest[]): void {
    const p = this.#p;
    while (i < end) {
      switch (this.#phase) {
        case Phase.Head: {
          const next = readHead(p, buf, i, end);
          if (next < 0) return;
          i = this.#headDone(buf, next, end, out);
          continue;
        }
        case Phase.Length: {
          const next = readLengthBody(p, buf, i, end);
          if (next < 0) return;
          this.#request!.body = p.body;
          i = this.#complete(next, out);
          continue;
        }
        case Phase.Chunked: {
          const next = readChunks(p, buf, i, end);
          if (next < 0) return;
          beginTrailers(p, p.base + next);
          this.#phase = Phase.Trailers;
          i = next;
          continue;
        }
        case Phase.Trailers: {
          const next = readHead(p, buf, i, end);
          if (next < 0) return;
          const request = this.#request!;
          request.trailers = trailerFields(p, buf, next);
          request.body = chunkedBody(p);
          i = this.#complete(next, out);
          continue;
        }
        case Phase.Stopped:
          return;
      }
    }
  }

  /** The head is complete (`i` just past its empty line): build the request, start its body, return the next index. */
  #headDone(buf: Buffer, i: number, end: number, out: HttpRequest[]): number {
    const p = this.#p;
    const request = headRequest(p, buf, i);
    const length = framing(request, p.framing, p.framingCount);
    this.#request = request;
    this.#stopAfter = !request.keepAlive || request.upgrade;
    if (request.method === 'CONNECT') {
      // RFC 9110 §9.3.6: after a CONNECT the bytes belong to the tunnel, there is no body.
      return this.#complete(i, out);
    }
    if (length === CHUNKED) {
      beginChunked(p);
      this.#phase = Phase.Chunked;
      return i;
    }
    const body = beginLengthBody(p, length, buf, i, end);
    if (body === undefined) {
      this.#phase = Phase.Length;
      return i;
    }
    request.body = body;
    return this.#complete(i + length, out);
  }

  /** A request is complete at buffer index `i`: hand it out and either await the next or stop. Returns `i`. */
  #complete(i: number, out: HttpRequest[]): number {
    const p = this.#p;
    out.push(this.#request!);
    this.#request = undefined;
    p.body = EMPTY;
    if (this.#stopAfter) {
      this.#stoppedAt = p.base + i;
      this.#phase = Phase.Stopped;
    } else {
      this.#phase = Phase.Head;
      awaitRequest(p);
    }
    return i;
  }
}

/**
 * The incremental HTTP/1.1 request parser every core shares. Bytes go in, in
 * chunks of any size (one byte at a time works); complete requests come out, in
 * order. No I/O, no timers: the core owns the socket and the clocks.
 *
 * It is a byte-level state machine in the style of llhttp, strict where
 * leniency is a request-smuggling hole (RFC 9112 §2.2, §5, §6, §7): bare CR or
 * LF, whitespace before a colon, obs-fold, conflicting framing headers and
 * malformed chunk sizes are typed errors, never guesses. Inside a state it runs
 * tight loops over lookup tables, and it decodes a request's head with one
 * latin1 conversion once the head is complete, cutting names and values out of
 * that one string.
 */
import { HttpParseError, type ParseErrorCode } from './errors.ts';
import { defaultLimits, type HeaderList, type HttpRequest, type ParserLimits } from './types.ts';
import * as chars from './chars.ts';
import { CHUNKED, CONTENT_LENGTH, framing, framingField, parseLength } from './framing.ts';

// Module-local copies of the byte tables: under tsx's module interop every read of an imported
// binding is a getter call, which made the inner loops five times slower (measured).
const { CR, HTAB, HEX, LF, SP, TARGET, TCHAR, VALUE } = chars;

/** Where the parser is. The order matters: every state below `Body` is inside a head. */
const enum S {
  Start,
  /** A CR of an empty line before the request line. */
  StartLF,
  Method,
  TargetStart,
  Target,
  Version,
  LineCR,
  LineLF,
  FieldStart,
  Name,
  ValueOws,
  Value,
  ValueLF,
  HeadLF,
  Body, // marker: states from here on read a body
  BodyLength,
  ChunkSize,
  ChunkSizeMore,
  ChunkExtName,
  ChunkExtNameMore,
  ChunkExtValue,
  ChunkExtToken,
  ChunkExtQuoted,
  ChunkExtEscape,
  ChunkExtAfterQuoted,
  ChunkSizeLF,
  ChunkData,
  ChunkDataCR,
  ChunkDataLF,
  Stopped,
}

const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"
const EMPTY = Buffer.alloc(0);
/** The room a chunked body starts with (see #reserve). */
const MIN_BODY_ROOM = 4096;
/** Largest chunk size accepted before multiplying by 16 would pass 2^52 (exact in a double). */
const CHUNK_SIZE_CEILING = 2 ** 48;

/** Incremental request parser for one connection. See the module comment. */
export class RequestParser {
  readonly #limits: ParserLimits;
  #state = S.Start;
  #error: HttpParseError | undefined;
  /** Stream offset of the byte after the last request when the parser stopped (close or upgrade). */
  #stoppedAt = -1;

  // The bytes being parsed. Offsets below are stream offsets; `#base` is the offset of `buf[0]`.
  #base = 0;
  /** Bytes kept from earlier pushes (a head or trailer section still arriving), with room to append. */
  #kept: Buffer = EMPTY;
  #keptLength = 0;

  // The request being read (stream offsets).
  #start = 0;
  #methodEnd = 0;
  #targetStart = 0;
  #targetEnd = 0;
  #versionPos = 0;
  #major = 0;
  #minor = 0;
  /** Start of the current field section (headers after the request line, or trailers). */
  #fieldsStart = 0;
  #inTrailers = false;
  #lineStart = 0;
  #nameEnd = 0;
  #valueStart = 0;
  /**
   * nameStart, nameEnd, valueStart, valueEnd for each field line of the current section, in the
   * first `#markCount` slots. Reset by count, not by `length = 0`, which would free the array's
   * storage and make every request grow it again.
   */
  #marks: number[] = [];
  #markCount = 0;
  /** (field index, kind) pairs of the framing headers (see `framingField`), in the first `#framingCount` slots. */
  #framing: number[] = [];
  #framingCount = 0;

  #request: HttpRequest | undefined;
  #stopAfter = false;
  #remaining = 0;
  /** The body being read: exactly its Content-Length, or for a chunked body room that grows (see #reserve). */
  #body: Buffer = EMPTY;
  #bodyFilled = 0;
  #chunkSize = 0;
  /** Body bytes #headDone already took from the buffer (a whole Content-Length body). */
  #skip = 0;

  constructor(limits?: Partial<ParserLimits>) {
    this.#limits = { ...defaultLimits, ...limits };
  }

  /** The error that stopped the parser, if any. Later input is ignored. */
  get error(): HttpParseError | undefined {
    return this.#error;
  }

  /** True when no partial request is buffered (between requests, or stopped). */
  get idle(): boolean {
    return this.#state === S.Start || this.#state === S.StartLF || this.#state === S.Stopped;
  }

  /** True while the current request's head (request line + headers) is incomplete. */
  get inHead(): boolean {
    return this.#state > S.StartLF && this.#state < S.Body;
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
    return this.#base + this.#keptLength;
  }

  /** Feed bytes; returns the requests these bytes completed, in order. */
  push(chunk: Uint8Array): HttpRequest[] {
    const out: HttpRequest[] = [];
    if (this.#error !== undefined || this.#state === S.Stopped) return out;
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
    try {
      this.#run(buf, from, end, out);
    } catch (error) {
      if (!(error instanceof HttpParseError)) throw error;
      this.#error = error;
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
    const state = this.#state;
    const streamEnd = this.#base + end;
    if (this.#error !== undefined || state === S.Stopped) {
      this.#kept = EMPTY;
      this.#keptLength = 0;
      this.#base = streamEnd;
      return;
    }
    const keepFrom = this.#inTrailers ? this.#fieldsStart : this.#start;
    const keeping = (state > S.StartLF && state < S.Body) || (this.#inTrailers && state < S.Body);
    if (!keeping) {
      this.#keptLength = 0;
      this.#base = streamEnd;
      return;
    }
    const from = keepFrom - this.#base;
    const length = end - from;
    if (buf.buffer === this.#kept.buffer && buf.byteOffset === this.#kept.byteOffset) {
      if (from > 0) this.#kept.copyWithin(0, from, end);
    } else {
      if (this.#kept.length < length) this.#kept = Buffer.allocUnsafe(Math.max(length * 2, 1024));
      buf.copy(this.#kept, 0, from, end);
    }
    this.#keptLength = length;
    this.#base = keepFrom;
  }

  #fail(code: ParseErrorCode, at: number, message: string): never {
    throw new HttpParseError(code, this.#base + at, message);
  }

  /** The state machine: consume buf[i..end), appending completed requests to `out`. */
  #run(buf: Buffer, i: number, end: number, out: HttpRequest[]): void {
    const base = this.#base;
    let state = this.#state;
    while (i < end) {
      switch (state) {
        case S.Start: {
          const c = buf[i]!;
          // RFC 9112 §2.2: ignore empty lines before a request line.
          if (c === CR) {
            state = S.StartLF;
            i++;
            continue;
          }
          if (c === LF) {
            i++;
            continue;
          }
          if (TCHAR[c] !== 1) this.#fail('INVALID_METHOD', i, 'Invalid character in method');
          this.#begin(base + i);
          // Fast path: a well-formed request line wholly in this buffer is read in one go.
          const next = this.#requestLine(buf, i, end);
          if (next > 0) {
            i = next;
            this.#lineDone(buf, i);
            state = S.FieldStart;
            continue;
          }
          state = S.Method;
          i++;
          continue;
        }
        case S.StartLF:
          if (buf[i] !== LF) this.#fail('BARE_CR', i - 1, 'CR not followed by LF');
          state = S.Start;
          i++;
          continue;
        case S.Method: {
          while (i < end && TCHAR[buf[i]!] === 1) i++;
          if (i === end) break;
          if (buf[i] !== SP) this.#fail('INVALID_METHOD', i, 'Invalid character in method');
          this.#methodEnd = base + i;
          state = S.TargetStart;
          i++;
          continue;
        }
        case S.TargetStart:
          if (TARGET[buf[i]!] !== 1) this.#fail('INVALID_TARGET', i, 'Invalid character at start of request-target');
          this.#targetStart = base + i;
          state = S.Target;
          i++;
          continue;
        case S.Target: {
          i = scan(TARGET, buf, i, end);
          if (i === end) break;
          const c = buf[i]!;
          if (c === CR || c === LF) this.#fail('MISSING_VERSION', i, 'Request line without an HTTP version (HTTP/0.9)');
          if (c !== SP) this.#fail('INVALID_TARGET', i, 'Invalid character in request-target');
          this.#targetEnd = base + i;
          this.#versionPos = 0;
          state = S.Version;
          i++;
          continue;
        }
        case S.Version: {
          const c = buf[i]!;
          const pos = this.#versionPos;
          if (pos < 5) {
            if (c !== HTTP_SLASH[pos]) this.#fail('INVALID_VERSION', i, 'Expected HTTP/');
          } else if (pos === 5 || pos === 7) {
            const digit = c - 0x30;
            if (digit < 0 || digit > 9) this.#fail('INVALID_VERSION', i, 'Invalid HTTP version');
            if (pos === 5) this.#major = digit;
            else {
              this.#minor = digit;
              if (this.#major !== 1 || digit > 1) {
                this.#fail('UNSUPPORTED_VERSION', i, `HTTP/${this.#major}.${digit} is not supported`);
              }
              state = S.LineCR;
            }
          } else if (c !== 0x2e) this.#fail('INVALID_VERSION', i, 'Invalid HTTP version');
          this.#versionPos = pos + 1;
          i++;
          continue;
        }
        case S.LineCR: {
          const c = buf[i]!;
          if (c !== CR) {
            if (c === LF) this.#fail('BARE_LF', i, 'Request line ends in LF without CR');
            if (c === SP || c === HTAB) this.#fail('UNEXPECTED_SPACE', i, 'Unexpected space after request line');
            this.#fail('INVALID_VERSION', i, 'Expected CRLF after version');
          }
          state = S.LineLF;
          i++;
          continue;
        }
        case S.LineLF: {
          if (buf[i] !== LF) this.#fail('BARE_CR', i, 'CR not followed by LF');
          i++;
          this.#lineDone(buf, i);
          state = S.FieldStart;
          continue;
        }
        // biome-ignore lint/suspicious/noFallthroughSwitchClause: it ends in #fail, which throws (never).
        case S.FieldStart: {
          const c = buf[i]!;
          this.#lineStart = base + i;
          if (TCHAR[c] === 1) {
            // Fast path: a well-formed field line wholly in this buffer is read in one go.
            // Anything else (a line cut by the chunk's end, an error) goes through the states below.
            const next = this.#fieldLine(buf, i, end);
            if (next > 0) {
              i = next;
              continue;
            }
            state = S.Name;
            i++;
            continue;
          }
          if (c === CR) {
            state = S.HeadLF;
            i++;
            continue;
          }
          if (c === SP || c === HTAB)
            this.#fail('OBS_FOLD', i, 'Obsolete line folding or whitespace before a field name');
          if (c === LF) this.#fail('BARE_LF', i, 'Field section ends in LF without CR');
          this.#fail('INVALID_HEADER_NAME', i, 'Invalid character in field name');
        }
        case S.Name: {
          while (i < end && TCHAR[buf[i]!] === 1) i++;
          if (i === end) break;
          const c = buf[i]!;
          if (c !== 0x3a) {
            if (c === SP || c === HTAB)
              this.#fail('HEADER_NAME_WHITESPACE', i, 'Whitespace between field name and colon');
            this.#fail('INVALID_HEADER_NAME', i, 'Invalid character in field name');
          }
          this.#nameEnd = base + i;
          state = S.ValueOws;
          i++;
          continue;
        }
        case S.ValueOws: {
          while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
          if (i === end) break;
          this.#valueStart = base + i;
          state = S.Value;
          continue;
        }
        case S.Value: {
          i = scan(VALUE, buf, i, end);
          if (i === end) break;
          const c = buf[i]!;
          if (c !== CR) {
            if (c === LF) this.#fail('BARE_LF', i, 'Field line ends in LF without CR');
            this.#fail('INVALID_HEADER_VALUE', i, 'Invalid character in field value');
          }
          this.#field(buf, this.#lineStart - base, this.#nameEnd - base, this.#valueStart - base, i);
          state = S.ValueLF;
          i++;
          continue;
        }
        case S.ValueLF:
          if (buf[i] !== LF) this.#fail('BARE_CR', i, 'CR not followed by LF in a field line');
          i++;
          state = S.FieldStart;
          continue;
        case S.HeadLF:
          if (buf[i] !== LF) this.#fail('BARE_CR', i, 'CR not followed by LF at the end of the field section');
          i++;
          this.#checkFields(i);
          state = this.#inTrailers ? this.#trailersDone(buf, i, out) : this.#headDone(buf, i, end, out);
          if (this.#skip > 0) {
            // #headDone found the whole body in this buffer and already copied it.
            i += this.#skip;
            this.#skip = 0;
            state = this.#complete(base + i, out);
          }
          continue;
        case S.BodyLength: {
          const n = Math.min(this.#remaining, end - i);
          buf.copy(this.#body, this.#bodyFilled, i, i + n);
          this.#bodyFilled += n;
          this.#remaining -= n;
          i += n;
          if (this.#remaining === 0) {
            this.#request!.body = this.#body;
            state = this.#complete(base + i, out);
          }
          continue;
        }
        case S.ChunkSize: {
          const digit = HEX[buf[i]!]!;
          if (digit < 0) this.#fail('INVALID_CHUNK_SIZE', i, 'Invalid character in chunk size');
          this.#chunkSize = digit;
          this.#lineStart = base + i;
          state = S.ChunkSizeMore;
          i++;
          continue;
        }
        case S.ChunkSizeMore: {
          const c = buf[i]!;
          const digit = HEX[c]!;
          if (digit >= 0) {
            if (this.#chunkSize >= CHUNK_SIZE_CEILING) this.#fail('INVALID_CHUNK_SIZE', i, 'Chunk size overflow');
            this.#chunkSize = this.#chunkSize * 16 + digit;
            i++;
            continue;
          }
          if (this.#chunkSize > this.#limits.maxBodyBytes - this.#bodyFilled) {
            this.#fail('BODY_TOO_LARGE', i, 'Chunked body larger than the limit');
          }
          if (c === CR) state = S.ChunkSizeLF;
          else if (c === 0x3b) state = S.ChunkExtName;
          else this.#fail('INVALID_CHUNK_SIZE', i, 'Invalid character in chunk size');
          i++;
          continue;
        }
        case S.ChunkExtName:
          if (TCHAR[buf[i]!] !== 1)
            this.#fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in chunk extension name');
          state = S.ChunkExtNameMore;
          i++;
          continue;
        case S.ChunkExtNameMore: {
          while (i < end && TCHAR[buf[i]!] === 1) i++;
          if (i === end) break;
          state = this.#afterExtension(buf[i]!, i, true);
          i++;
          continue;
        }
        case S.ChunkExtValue: {
          const c = buf[i]!;
          if (c === 0x22) state = S.ChunkExtQuoted;
          else if (TCHAR[c] === 1) state = S.ChunkExtToken;
          else this.#fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in chunk extension value');
          i++;
          continue;
        }
        case S.ChunkExtToken: {
          while (i < end && TCHAR[buf[i]!] === 1) i++;
          if (i === end) break;
          state = this.#afterExtension(buf[i]!, i, false);
          i++;
          continue;
        }
        case S.ChunkExtQuoted: {
          const c = buf[i]!;
          if (c === 0x22) state = S.ChunkExtAfterQuoted;
          else if (c === 0x5c) state = S.ChunkExtEscape;
          else if (VALUE[c] !== 1)
            this.#fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in quoted chunk extension');
          i++;
          continue;
        }
        case S.ChunkExtEscape:
          if (VALUE[buf[i]!] !== 1)
            this.#fail('INVALID_CHUNK_EXTENSION', i, 'Invalid escaped character in chunk extension');
          state = S.ChunkExtQuoted;
          i++;
          continue;
        case S.ChunkExtAfterQuoted:
          state = this.#afterExtension(buf[i]!, i, false);
          i++;
          continue;
        case S.ChunkSizeLF:
          if (buf[i] !== LF) this.#fail('BARE_CR', i, 'CR not followed by LF after chunk size');
          i++;
          if (this.#chunkSize === 0) {
            this.#inTrailers = true;
            this.#fieldsStart = base + i;
            this.#markCount = 0;
            state = S.FieldStart;
          } else {
            this.#remaining = this.#chunkSize;
            this.#reserve(this.#bodyFilled + this.#chunkSize);
            state = S.ChunkData;
          }
          continue;
        case S.ChunkData: {
          const n = Math.min(this.#remaining, end - i);
          buf.copy(this.#body, this.#bodyFilled, i, i + n);
          this.#bodyFilled += n;
          this.#remaining -= n;
          i += n;
          if (this.#remaining === 0) state = S.ChunkDataCR;
          continue;
        }
        case S.ChunkDataCR:
          if (buf[i] !== CR) this.#fail('CHUNK_DATA_NOT_TERMINATED', i, 'Chunk data not followed by CRLF');
          state = S.ChunkDataLF;
          i++;
          continue;
        case S.ChunkDataLF:
          if (buf[i] !== LF) this.#fail('CHUNK_DATA_NOT_TERMINATED', i, 'Chunk data not followed by CRLF');
          state = S.ChunkSize;
          i++;
          continue;
        case S.Stopped:
          this.#state = state;
          return;
      }
      // A state's loop ran out of input: the chunk ends inside a token.
      break;
    }
    this.#state = state;
    this.#checkPartial(end);
  }

  /**
   * Read the request line starting at `i` (its first method byte, checked) if it is whole and
   * well-formed with version HTTP/1.0 or 1.1: returns the index after its CRLF, or -1 to leave
   * it, and the precise error if any, to the states.
   */
  #requestLine(buf: Buffer, i: number, end: number): number {
    const methodEnd = scan(TCHAR, buf, i + 1, end);
    if (methodEnd >= end || buf[methodEnd] !== SP) return -1;
    const targetEnd = scan(TARGET, buf, methodEnd + 1, end);
    const v = targetEnd + 1;
    if (targetEnd === methodEnd + 1 || v + 9 >= end || buf[targetEnd] !== SP) return -1;
    for (let k = 0; k < 5; k++) {
      if (buf[v + k] !== HTTP_SLASH[k]) return -1;
    }
    const minor = buf[v + 7]! - 0x30;
    if (
      buf[v + 5] !== 0x31 ||
      buf[v + 6] !== 0x2e ||
      (minor !== 0 && minor !== 1) ||
      buf[v + 8] !== CR ||
      buf[v + 9] !== LF
    )
      return -1;
    const base = this.#base;
    this.#methodEnd = base + methodEnd;
    this.#targetStart = base + methodEnd + 1;
    this.#targetEnd = base + targetEnd;
    this.#major = 1;
    this.#minor = minor;
    return v + 10;
  }

  /** The request line is complete (`i` just past its CRLF): check it as a whole, and start the field section. */
  #lineDone(buf: Buffer, i: number): void {
    const start = this.#start - this.#base;
    if (i - start - 2 > this.#limits.maxRequestLineBytes) {
      this.#fail('URI_TOO_LONG', start + this.#limits.maxRequestLineBytes, 'Request line too long');
    }
    if (this.#methodEnd - this.#start === 3 && isHttp2Preface(buf, start, this.#targetEnd - this.#start)) {
      this.#fail('HTTP2_PREFACE', i - 2, 'HTTP/2 connection preface (PRI *): this server speaks HTTP/1.x only');
    }
    this.#fieldsStart = this.#base + i;
    this.#lineStart = this.#base + i;
  }

  /** Read the field line at `i` if it is whole and well-formed: returns the index after its CRLF, or -1. */
  #fieldLine(buf: Buffer, i: number, end: number): number {
    const colon = scan(TCHAR, buf, i + 1, end);
    if (colon >= end || buf[colon] !== 0x3a) return -1;
    let valueStart = colon + 1;
    while (valueStart < end && (buf[valueStart] === SP || buf[valueStart] === HTAB)) valueStart++;
    const cr = scan(VALUE, buf, valueStart, end);
    if (cr + 1 >= end || buf[cr] !== CR || buf[cr + 1] !== LF) return -1;
    this.#field(buf, i, colon, valueStart, cr);
    return cr + 2;
  }

  /**
   * Record a complete field line (buffer indexes: name start and end, value start, the CR that
   * ends it). Trailing whitespace is not part of the value (RFC 9112 §5).
   */
  #field(buf: Buffer, nameStart: number, nameEnd: number, valueStart: number, cr: number): void {
    let valueEnd = cr;
    while (valueEnd > valueStart && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) valueEnd--;
    const base = this.#base;
    const n = this.#markCount;
    const marks = this.#marks;
    marks[n] = base + nameStart;
    marks[n + 1] = base + nameEnd;
    marks[n + 2] = base + valueStart;
    marks[n + 3] = base + valueEnd;
    this.#markCount = n + 4;
    const kind = framingField(buf, nameStart, nameEnd - nameStart);
    if (kind === 0) return;
    this.#framing[this.#framingCount] = n >> 2;
    this.#framing[this.#framingCount + 1] = kind;
    this.#framingCount += 2;
    if (kind === CONTENT_LENGTH) {
      // Checked as soon as the line is complete, like llhttp: a bad length fails before the head ends.
      parseLength(buf.toString('latin1', valueStart, valueEnd), base + valueStart);
    }
  }

  /** The byte after a chunk extension name or value: another extension, a value, or the end of the line. */
  #afterExtension(c: number, i: number, afterName: boolean): S {
    if (c === 0x3b) return S.ChunkExtName;
    if (c === CR) return S.ChunkSizeLF;
    if (afterName && c === 0x3d) return S.ChunkExtValue;
    return this.#fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in chunk extension');
  }

  #begin(start: number): void {
    this.#start = start;
    this.#markCount = 0;
    this.#framingCount = 0;
    this.#inTrailers = false;
  }

  /** Limits on a complete field section (`i` just past its empty line); #checkPartial bounds one still arriving. */
  #checkFields(i: number): void {
    if (this.#base + i - this.#fieldsStart > this.#limits.maxHeaderBytes) {
      this.#fail(
        'HEADERS_TOO_LARGE',
        this.#fieldsStart - this.#base + this.#limits.maxHeaderBytes,
        'Header section too large',
      );
    }
    if (this.#markCount > 4 * this.#limits.maxHeaderCount) {
      this.#fail('HEADERS_TOO_LARGE', i - 1, 'Too many header fields');
    }
  }

  /** Limits on a line still arriving, so that a slow sender cannot make us buffer without end. */
  #checkPartial(end: number): void {
    const state = this.#state;
    const at = this.#base + end;
    if (state > S.StartLF && state < S.FieldStart) {
      if (at - this.#start > this.#limits.maxRequestLineBytes + 2) {
        this.#fail(
          'URI_TOO_LONG',
          this.#start - this.#base + this.#limits.maxRequestLineBytes,
          'Request line too long',
        );
      }
    } else if ((state >= S.FieldStart && state < S.Body) || (state > S.ChunkSize && state < S.ChunkSizeLF)) {
      const from = state < S.Body ? this.#fieldsStart : this.#lineStart;
      if (at - from > this.#limits.maxHeaderBytes) {
        this.#fail('HEADERS_TOO_LARGE', from - this.#base + this.#limits.maxHeaderBytes, 'Header section too large');
      }
      if (this.#markCount > 4 * this.#limits.maxHeaderCount)
        this.#fail('HEADERS_TOO_LARGE', end - 1, 'Too many header fields');
    }
  }

  /** The head is complete (`i` just past its empty line): build the request and choose how to read its body. */
  #headDone(buf: Buffer, i: number, end: number, out: HttpRequest[]): S {
    const base = this.#base;
    const origin = this.#start;
    const head = buf.toString('latin1', origin - base, i);
    const target = head.slice(this.#targetStart - origin, this.#targetEnd - origin);
    const headers = fieldList(head, origin, this.#marks, this.#markCount);
    const request: HttpRequest = {
      method: head.slice(0, this.#methodEnd - origin),
      target,
      path: '',
      query: '',
      versionMajor: this.#major,
      versionMinor: this.#minor,
      headers,
      trailers: [],
      body: EMPTY,
      keepAlive: true,
      upgrade: false,
    };
    splitTarget(request, target);
    const length = framing(request, this.#marks, this.#framing, this.#framingCount);
    this.#request = request;
    this.#stopAfter = !request.keepAlive || request.upgrade;
    if (request.method === 'CONNECT') {
      // RFC 9110 §9.3.6: after a CONNECT the bytes belong to the tunnel, there is no body.
      return this.#complete(base + i, out);
    }
    if (length === CHUNKED) {
      this.#body = EMPTY;
      this.#bodyFilled = 0;
      return S.ChunkSize;
    }
    if (length > this.#limits.maxBodyBytes) this.#fail('BODY_TOO_LARGE', i, 'Content-Length larger than the limit');
    if (length === 0) return this.#complete(base + i, out);
    if (length <= end - i) {
      // The whole body is here: one copy, so the request does not pin the socket's chunk.
      const body = Buffer.allocUnsafe(length);
      buf.copy(body, 0, i, i + length);
      request.body = body;
      this.#remaining = 0;
      this.#skip = length;
      return S.BodyLength;
    }
    this.#body = Buffer.allocUnsafe(length);
    this.#bodyFilled = 0;
    this.#remaining = length;
    return S.BodyLength;
  }

  /**
   * Room for `need` bytes of chunked body. Chunks are copied once, into one buffer that starts at
   * MIN_BODY_ROOM and at least doubles when it grows (copying each chunk, then joining the copies,
   * copied every byte twice, and the allocations were a third of chunked-post's time). The body
   * handed out is a view of that buffer: it keeps at most MIN_BODY_ROOM or its own size of spare
   * room, never beyond the body limit.
   */
  #reserve(need: number): void {
    if (need <= this.#body.length) return;
    const room = Math.min(Math.max(2 * this.#body.length, MIN_BODY_ROOM), this.#limits.maxBodyBytes);
    const grown = Buffer.allocUnsafe(Math.max(need, room));
    this.#body.copy(grown, 0, 0, this.#bodyFilled);
    this.#body = grown;
  }

  #trailersDone(buf: Buffer, i: number, out: HttpRequest[]): S {
    const request = this.#request!;
    const origin = this.#fieldsStart;
    if (this.#markCount > 0) {
      request.trailers = fieldList(
        buf.toString('latin1', origin - this.#base, i),
        origin,
        this.#marks,
        this.#markCount,
      );
    }
    request.body = this.#bodyFilled === this.#body.length ? this.#body : this.#body.subarray(0, this.#bodyFilled);
    this.#inTrailers = false;
    return this.#complete(this.#base + i, out);
  }

  /** A request is complete at stream offset `at`: hand it out and either await the next or stop. */
  #complete(at: number, out: HttpRequest[]): S {
    out.push(this.#request!);
    this.#request = undefined;
    this.#body = EMPTY;
    if (this.#stopAfter) {
      this.#stoppedAt = at;
      return S.Stopped;
    }
    return S.Start;
  }
}

/**
 * The index of the first byte in buf[i, end) that is not in `table` (1 = in), or `end`. Four
 * bytes a step while all four are in: one exit test per step instead of four (measured: a tenth
 * off browser-get, whose field values are most of its bytes).
 */
function scan(table: Uint8Array, buf: Buffer, i: number, end: number): number {
  while (i + 4 <= end && (table[buf[i]!]! & table[buf[i + 1]!]! & table[buf[i + 2]!]! & table[buf[i + 3]!]!) === 1)
    i += 4;
  while (i < end && table[buf[i]!] === 1) i++;
  return i;
}

/**
 * `PRI *` starts the HTTP/2 connection preface (RFC 9113 §3.4), which is built so that an
 * HTTP/1.1 server fails on it rather than answering a request named PRI.
 */
function isHttp2Preface(buf: Buffer, at: number, lineLength: number): boolean {
  return lineLength === 5 && buf[at] === 0x50 && buf[at + 1] === 0x52 && buf[at + 2] === 0x49 && buf[at + 4] === 0x2a;
}

/** Cut the field lines out of the decoded section `text`, which starts at stream offset `origin`. */
function fieldList(text: string, origin: number, marks: readonly number[], count: number): HeaderList {
  const fields: HeaderList = new Array(count >> 2);
  for (let k = 0, f = 0; k < count; k += 4, f++) {
    fields[f] = [
      text.slice(marks[k]! - origin, marks[k + 1]! - origin),
      text.slice(marks[k + 2]! - origin, marks[k + 3]! - origin),
    ];
  }
  return fields;
}

/** Fill `path` and `query` from the request-target (origin-, absolute-, authority- or asterisk-form). */
function splitTarget(request: HttpRequest, target: string): void {
  let from = 0;
  if (target.charCodeAt(0) !== 0x2f) {
    const scheme = target.indexOf('://');
    if (scheme < 0) {
      // authority-form (CONNECT host:port) or asterisk-form: no path to split.
      request.path = target;
      return;
    }
    from = target.indexOf('/', scheme + 3);
    if (from < 0) {
      const q = target.indexOf('?', scheme + 3);
      request.path = '/';
      if (q >= 0) request.query = cutFragment(target.slice(q + 1));
      return;
    }
  }
  const q = target.indexOf('?', from);
  if (q < 0) {
    request.path = cutFragment(from === 0 ? target : target.slice(from));
  } else {
    request.path = target.slice(from, q);
    request.query = cutFragment(target.slice(q + 1));
  }
}

/** A fragment is never meant to be sent (RFC 9110 §4.2.4), but tolerate one by dropping it. */
function cutFragment(part: string): string {
  const hash = part.indexOf('#');
  return hash < 0 ? part : part.slice(0, hash);
}

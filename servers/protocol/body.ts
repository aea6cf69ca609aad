/**
 * A request's body, framed as its head says (framing.ts): exactly Content-Length
 * bytes, or a chunked body (RFC 9112 §7.1): hexadecimal chunk sizes, chunk
 * extensions validated and ignored (§7.1.1), each chunk's data followed by CRLF.
 * The trailer section after the last chunk is read as field lines (head.ts).
 * The body is handed over whole and de-chunked, copied once.
 */
import * as chars from './chars.ts';
import { checkBodyLength, checkChunkLine, checkChunkSize } from './limits.ts';
import type { ParseState } from './state.ts';
import { EMPTY } from './state.ts';

// Module-local copies of the byte tables (see head.ts).
const { CR, HEX, LF, TCHAR, VALUE } = chars;

/** The states of a chunked body (in `p.state`): a chunk-size line with its extensions, then the chunk's data. */
const enum C {
  Size,
  SizeMore,
  ExtName,
  ExtNameMore,
  ExtValue,
  ExtToken,
  ExtQuoted,
  ExtEscape,
  ExtAfterQuoted,
  SizeLF,
  Data,
  DataCR,
  DataLF,
}

/** The room a chunked body starts with (see reserve). */
const MIN_BODY_ROOM = 4096;
/** Largest chunk size accepted before multiplying by 16 would pass 2^52 (exact in a double). */
const CHUNK_SIZE_CEILING = 2 ** 48;

/**
 * Start a body of `length` bytes at buf[i]: the body when it is already whole in the buffer (then
 * its end is `i + length`), or undefined when more is to come (read it with `readLengthBody`).
 */
export function beginLengthBody(
  p: ParseState,
  length: number,
  buf: Buffer,
  i: number,
  end: number,
): Buffer | undefined {
  checkBodyLength(p, length, p.base + i);
  if (length === 0) return EMPTY;
  if (length <= end - i) {
    // The whole body is here: one copy, so the request does not pin the socket's chunk.
    const body = Buffer.allocUnsafe(length);
    buf.copy(body, 0, i, i + length);
    return body;
  }
  p.body = Buffer.allocUnsafe(length);
  p.bodyFilled = 0;
  p.remaining = length;
  return undefined;
}

/** Read Content-Length body bytes from buf[i, end): the index past the body when it is complete, or -1. */
export function readLengthBody(p: ParseState, buf: Buffer, i: number, end: number): number {
  const n = Math.min(p.remaining, end - i);
  buf.copy(p.body, p.bodyFilled, i, i + n);
  p.bodyFilled += n;
  p.remaining -= n;
  return p.remaining === 0 ? i + n : -1;
}

/** Start a chunked body. */
export function beginChunked(p: ParseState): void {
  p.body = EMPTY;
  p.bodyFilled = 0;
  p.state = C.Size;
}

/** The de-chunked body read so far: a view of its buffer, without the spare room. */
export function chunkedBody(p: ParseState): Buffer {
  return p.bodyFilled === p.body.length ? p.body : p.body.subarray(0, p.bodyFilled);
}

/** Read a chunked body from buf[i, end): the index past the last chunk's line (trailers follow), or -1. */
export function readChunks(p: ParseState, buf: Buffer, i: number, end: number): number {
  const base = p.base;
  let state = p.state;
  while (i < end) {
    if (state >= C.ExtName && state <= C.ExtAfterQuoted) {
      i = readExtensions(p, buf, i, end, state);
      state = p.state;
      continue;
    }
    switch (state) {
      case C.Size: {
        const digit = HEX[buf[i]!]!;
        if (digit < 0) p.fail('INVALID_CHUNK_SIZE', i, 'Invalid character in chunk size');
        p.chunkSize = digit;
        p.lineStart = base + i;
        state = C.SizeMore;
        i++;
        continue;
      }
      case C.SizeMore: {
        const c = buf[i]!;
        const digit = HEX[c]!;
        if (digit >= 0) {
          if (p.chunkSize >= CHUNK_SIZE_CEILING) p.fail('INVALID_CHUNK_SIZE', i, 'Chunk size overflow');
          p.chunkSize = p.chunkSize * 16 + digit;
          i++;
          continue;
        }
        checkChunkSize(p, base + i);
        if (c === CR) state = C.SizeLF;
        else if (c === 0x3b) state = C.ExtName;
        else p.fail('INVALID_CHUNK_SIZE', i, 'Invalid character in chunk size');
        i++;
        continue;
      }
      case C.SizeLF:
        // The line is complete: bound it as a whole, as checkChunkLine bounds it while it arrives.
        checkChunkLine(p, base + i - 1);
        if (buf[i] !== LF) p.fail('BARE_CR', i, 'CR not followed by LF after chunk size');
        i++;
        if (p.chunkSize === 0) return i;
        p.remaining = p.chunkSize;
        reserve(p, p.bodyFilled + p.chunkSize);
        state = C.Data;
        continue;
      case C.Data: {
        const n = Math.min(p.remaining, end - i);
        buf.copy(p.body, p.bodyFilled, i, i + n);
        p.bodyFilled += n;
        p.remaining -= n;
        i += n;
        if (p.remaining === 0) state = C.DataCR;
        continue;
      }
      case C.DataCR:
        if (buf[i] !== CR) p.fail('CHUNK_DATA_NOT_TERMINATED', i, 'Chunk data not followed by CRLF');
        state = C.DataLF;
        i++;
        continue;
      case C.DataLF:
        if (buf[i] !== LF) p.fail('CHUNK_DATA_NOT_TERMINATED', i, 'Chunk data not followed by CRLF');
        state = C.Size;
        i++;
        continue;
    }
  }
  p.state = state;
  if (state > C.Size && state < C.SizeLF) checkChunkLine(p, base + end);
  return -1;
}

/**
 * Chunk extensions (`;name` or `;name=value`, a value a token or a quoted string) from buf[i, end)
 * in extension state `state`: the index after the CR that ends the line, or `end`; the state is
 * left in `p.state`.
 */
function readExtensions(p: ParseState, buf: Buffer, i: number, end: number, state: C): number {
  while (i < end && state !== C.SizeLF) {
    const c = buf[i]!;
    switch (state) {
      case C.ExtName:
        if (TCHAR[c] !== 1) p.fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in chunk extension name');
        state = C.ExtNameMore;
        break;
      case C.ExtNameMore:
      case C.ExtToken:
        while (i < end && TCHAR[buf[i]!] === 1) i++;
        if (i === end) {
          p.state = state;
          return i;
        }
        state = afterExtension(p, buf[i]!, i, state === C.ExtNameMore);
        break;
      case C.ExtValue:
        if (c === 0x22) state = C.ExtQuoted;
        else if (TCHAR[c] === 1) state = C.ExtToken;
        else p.fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in chunk extension value');
        break;
      case C.ExtQuoted:
        if (c === 0x22) state = C.ExtAfterQuoted;
        else if (c === 0x5c) state = C.ExtEscape;
        else if (VALUE[c] !== 1) p.fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in quoted chunk extension');
        break;
      case C.ExtEscape:
        if (VALUE[c] !== 1) p.fail('INVALID_CHUNK_EXTENSION', i, 'Invalid escaped character in chunk extension');
        state = C.ExtQuoted;
        break;
      case C.ExtAfterQuoted:
        state = afterExtension(p, c, i, false);
        break;
    }
    i++;
  }
  p.state = state;
  return i;
}

/** The byte after a chunk extension name or value: another extension, a value, or the end of the line. */
function afterExtension(p: ParseState, c: number, i: number, afterName: boolean): C {
  if (c === 0x3b) return C.ExtName;
  if (c === CR) return C.SizeLF;
  if (afterName && c === 0x3d) return C.ExtValue;
  return p.fail('INVALID_CHUNK_EXTENSION', i, 'Invalid character in chunk extension');
}

/**
 * Room for `need` bytes of chunked body. Chunks are copied once, into one buffer that starts at
 * MIN_BODY_ROOM and at least doubles when it grows (copying each chunk, then joining the copies,
 * copied every byte twice, and the allocations were a third of chunked-post's time). The body
 * handed out is a view of that buffer: it keeps at most MIN_BODY_ROOM or its own size of spare
 * room, never beyond the body limit.
 */
function reserve(p: ParseState, need: number): void {
  if (need <= p.body.length) return;
  const room = Math.min(Math.max(2 * p.body.length, MIN_BODY_ROOM), p.limits.maxBodyBytes);
  const grown = Buffer.allocUnsafe(Math.max(need, room));
  p.body.copy(grown, 0, 0, p.bodyFilled);
  p.body = grown;
}

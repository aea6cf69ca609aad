/**
 * The parser's limits (ParserLimits in types.ts), checked in one place. A limit
 * is a property of the bytes, never of how they arrive: each part is checked once
 * it is complete, and a part still arriving is checked at the end of every push
 * with the same bound, so that a slow sender cannot make the server buffer without
 * end and a request is refused at any split or at none. All offsets are stream
 * offsets; an error is reported where the limit was passed.
 */
import { HttpParseError } from './errors.ts';
import type { ParseState } from './state.ts';

/** A complete request line, `at` just past its CRLF. */
export function checkRequestLine(p: ParseState, at: number): void {
  if (at - p.start - 2 > p.limits.maxRequestLineBytes) tooLongLine(p);
}

/** A request line still arriving, `at` the end of the bytes so far (its CRLF may be among them). */
export function checkRequestLineSoFar(p: ParseState, at: number): void {
  if (at - p.start > p.limits.maxRequestLineBytes + 2) tooLongLine(p);
}

function tooLongLine(p: ParseState): never {
  throw new HttpParseError('URI_TOO_LONG', p.start + p.limits.maxRequestLineBytes, 'Request line too long');
}

/** A field section (headers or trailers), `at` just past its empty line or, while it arrives, the end so far. */
export function checkFields(p: ParseState, at: number): void {
  const max = p.limits.maxHeaderBytes;
  if (at - p.fieldsStart > max) {
    throw new HttpParseError('HEADERS_TOO_LARGE', p.fieldsStart + max, 'Header section too large');
  }
  if (p.markCount > 4 * p.limits.maxHeaderCount) {
    throw new HttpParseError('HEADERS_TOO_LARGE', at - 1, 'Too many header fields');
  }
}

/**
 * A chunk-size line (size and extensions), `at` its CR or, while it arrives, the end so far. Its
 * bound is the header section's: extensions are metadata like fields, and a sender must not be
 * able to send them without end (RFC 9112 §7.1.1 lets a server limit them). Checked whole as well
 * as arriving, so that the verdict does not depend on how the line is split into reads.
 */
export function checkChunkLine(p: ParseState, at: number): void {
  const max = p.limits.maxHeaderBytes;
  if (at - p.lineStart > max) {
    throw new HttpParseError('HEADERS_TOO_LARGE', p.lineStart + max, 'Chunk-size line too large');
  }
}

/** A declared Content-Length, `at` the start of the body. */
export function checkBodyLength(p: ParseState, length: number, at: number): void {
  if (length > p.limits.maxBodyBytes) {
    throw new HttpParseError('BODY_TOO_LARGE', at, 'Content-Length larger than the limit');
  }
}

/** A chunk of `p.chunkSize` bytes about to join the `p.bodyFilled` already read, `at` the end of its size. */
export function checkChunkSize(p: ParseState, at: number): void {
  if (p.chunkSize > p.limits.maxBodyBytes - p.bodyFilled) {
    throw new HttpParseError('BODY_TOO_LARGE', at, 'Chunked body larger than the limit');
  }
}

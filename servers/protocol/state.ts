/**
 * The working state of one connection's parser: where the request being read
 * is in the byte stream, and what of it has been seen. RequestParser (parser.ts)
 * owns one and hands it to the modules that read each part of a request
 * (head.ts, body.ts) and check the limits (limits.ts). Plain fields on purpose:
 * those modules read and write them in their inner loops.
 */
import { HttpParseError, type ParseErrorCode } from './errors.ts';
import type { ParserLimits } from './types.ts';

export const EMPTY = Buffer.alloc(0);

/** The parser's state between pushes. Offsets are stream offsets unless said otherwise. */
export class ParseState {
  readonly limits: ParserLimits;
  /** Stream offset of `buf[0]` of the buffer being parsed: buffer index + base = stream offset. */
  base = 0;
  /** The state of the part being read, numbered by the module that reads it (head.ts, body.ts). */
  state = 0;

  // The head being read.
  start = 0;
  methodEnd = 0;
  targetStart = 0;
  targetEnd = 0;
  versionPos = 0;
  major = 0;
  minor = 0;
  /** Start of the current field section (headers after the request line, or trailers). */
  fieldsStart = 0;
  /** Start of the line being read: a field line, or a chunk-size line. */
  lineStart = 0;
  nameEnd = 0;
  valueStart = 0;
  /**
   * nameStart, nameEnd, valueStart, valueEnd for each field line of the current section, in the
   * first `markCount` slots. Reset by count, not by `length = 0`, which would free the array's
   * storage and make every request grow it again.
   */
  marks: number[] = [];
  markCount = 0;
  /**
   * (field index, kind, stream offset of the value) triples of the fields `framingField` names, in
   * the first `framingCount` slots.
   */
  framing: number[] = [];
  framingCount = 0;
  /** `marks` index of the head's Host field line; -1 for none yet, -2 in a trailer section (see target.ts). */
  host = -1;

  // The body being read.
  remaining = 0;
  /** The body: exactly its Content-Length, or for a chunked body room that grows (see body.ts). */
  body: Buffer = EMPTY;
  bodyFilled = 0;
  chunkSize = 0;

  constructor(limits: ParserLimits) {
    this.limits = limits;
  }

  /** Reject the request at buffer index `at` of the buffer being parsed. */
  fail(code: ParseErrorCode, at: number, message: string): never {
    throw new HttpParseError(code, this.base + at, message);
  }
}

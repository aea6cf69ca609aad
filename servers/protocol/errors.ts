/**
 * The one error the protocol layer throws or reports: a request the parser
 * rejects. Like undici's `UndiciError`, it carries a stable code that tests and
 * logs can match on, plus what the server needs to answer: the status and where
 * in the connection's byte stream the problem was found.
 */

/** Every rejection the parser can report, with the status a server should answer. */
export const parseErrorStatus = {
  INVALID_METHOD: 400,
  INVALID_TARGET: 400,
  INVALID_HOST: 400,
  DUPLICATE_HOST: 400,
  INVALID_VERSION: 400,
  MISSING_VERSION: 400,
  UNEXPECTED_SPACE: 400,
  BARE_CR: 400,
  BARE_LF: 400,
  INVALID_HEADER_NAME: 400,
  HEADER_NAME_WHITESPACE: 400,
  INVALID_HEADER_VALUE: 400,
  OBS_FOLD: 400,
  INVALID_CONTENT_LENGTH: 400,
  CONTENT_LENGTH_CONFLICT: 400,
  TE_WITH_CONTENT_LENGTH: 400,
  TE_NOT_CHUNKED: 400,
  INVALID_TRANSFER_ENCODING: 400,
  INVALID_CHUNK_SIZE: 400,
  INVALID_CHUNK_EXTENSION: 400,
  CHUNK_DATA_NOT_TERMINATED: 400,
  URI_TOO_LONG: 414,
  HEADERS_TOO_LARGE: 431,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_VERSION: 505,
  HTTP2_PREFACE: 505,
  UNSUPPORTED_TRANSFER_CODING: 501,
} as const satisfies Record<string, number>;

/** A stable parse-error code. */
export type ParseErrorCode = keyof typeof parseErrorStatus;

/** A request the parser rejected: what was wrong (`code`), where (`offset`), and the answer (`status`). */
export class HttpParseError extends Error {
  override readonly name = 'HttpParseError';
  readonly code: ParseErrorCode;
  /** Byte offset in the connection's stream (all bytes ever pushed) of the offending byte. */
  readonly offset: number;
  /** The HTTP status a server should answer with before closing: 400, 413, 414, 431, 501 or 505. */
  readonly status: number;

  constructor(code: ParseErrorCode, offset: number, message: string) {
    super(`${message} (${code} at byte ${offset})`);
    this.code = code;
    this.offset = offset;
    this.status = parseErrorStatus[code];
  }
}

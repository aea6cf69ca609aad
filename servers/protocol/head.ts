/**
 * A request's head: the request line (RFC 9112 §3) and the field lines (§5),
 * whose syntax the trailer section after a chunked body shares (§7.1.2). Bare CR
 * or LF, whitespace before a colon and obs-fold are typed errors, never guesses.
 *
 * A head wholly in one buffer is first offered to whole-head.ts, which reads it
 * in one pass or declines. Here, each line has a fast path, which reads it in one
 * go when it is wholly in the buffer and well-formed, and states that read it byte
 * by byte otherwise (a line cut by the end of a push, or an error, reported
 * precisely). All of them record offsets only; decode.ts turns a complete head
 * into a request.
 */
import * as chars from './chars.ts';
import { CONTENT_LENGTH, framingField, HOST, parseLength } from './framing.ts';
import { checkFields, checkRequestLine, checkRequestLineSoFar } from './limits.ts';
import type { ParseState } from './state.ts';
import { hostField, NOT_IN_HEAD } from './target.ts';
import { wholeHead } from './whole-head.ts';

// Module-local copies of the byte tables: under tsx's module interop every read of an imported
// binding is a getter call, which made the inner loops five times slower (measured).
const { CR, HTAB, LF, SP, TARGET, TCHAR, VALUE, scan } = chars;

/** The head's states (in `p.state`). Start and StartLF are between requests; FieldStart on are in a field section. */
const enum H {
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
}

const HTTP_SLASH = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

/** Wait for the next request's first byte. */
export function awaitRequest(p: ParseState): void {
  p.state = H.Start;
}

/** True between requests: nothing of the next request has arrived but empty lines. */
export function betweenRequests(p: ParseState): boolean {
  return p.state <= H.StartLF;
}

/** Begin the trailer section at stream offset `at` (just past the last chunk's line). */
export function beginTrailers(p: ParseState, at: number): void {
  p.host = NOT_IN_HEAD;
  p.fieldsStart = at;
  p.lineStart = at;
  p.markCount = 0;
  p.state = H.FieldStart;
}

/**
 * Read the head, or the trailer section after `beginTrailers`, from buf[i, end): the index just
 * past its empty line when it is complete, or -1 when the input ran out first.
 */
export function readHead(p: ParseState, buf: Buffer, i: number, end: number): number {
  if (p.state === H.Start) {
    const next = wholeHead(p, buf, i, end);
    if (next > 0) return next;
  }
  if (p.state < H.FieldStart) {
    i = readRequestLine(p, buf, i, end);
    if (i < 0) return -1;
  }
  return readFields(p, buf, i, end);
}

/** The request line: the index just past its CRLF, or -1 when the input ran out first. */
function readRequestLine(p: ParseState, buf: Buffer, i: number, end: number): number {
  const base = p.base;
  let state = p.state;
  while (i < end) {
    switch (state) {
      case H.Start: {
        const c = buf[i]!;
        // RFC 9112 §2.2: ignore empty lines before a request line.
        if (c === CR) {
          state = H.StartLF;
          i++;
          continue;
        }
        if (c === LF) {
          i++;
          continue;
        }
        if (TCHAR[c] !== 1) p.fail('INVALID_METHOD', i, 'Invalid character in method');
        begin(p, base + i);
        const next = requestLine(p, buf, i, end);
        if (next > 0) return lineDone(p, buf, next);
        state = H.Method;
        i++;
        continue;
      }
      case H.StartLF:
        if (buf[i] !== LF) p.fail('BARE_CR', i - 1, 'CR not followed by LF');
        state = H.Start;
        i++;
        continue;
      case H.Method: {
        while (i < end && TCHAR[buf[i]!] === 1) i++;
        if (i === end) break;
        if (buf[i] !== SP) p.fail('INVALID_METHOD', i, 'Invalid character in method');
        p.methodEnd = base + i;
        state = H.TargetStart;
        i++;
        continue;
      }
      case H.TargetStart:
        if (TARGET[buf[i]!] !== 1) p.fail('INVALID_TARGET', i, 'Invalid character at start of request-target');
        p.targetStart = base + i;
        state = H.Target;
        i++;
        continue;
      case H.Target: {
        i = scan(TARGET, buf, i, end);
        if (i === end) break;
        const c = buf[i]!;
        if (c === CR || c === LF) p.fail('MISSING_VERSION', i, 'Request line without an HTTP version (HTTP/0.9)');
        if (c !== SP) p.fail('INVALID_TARGET', i, 'Invalid character in request-target');
        p.targetEnd = base + i;
        p.versionPos = 0;
        state = H.Version;
        i++;
        continue;
      }
      case H.Version:
        state = version(p, buf[i]!, i);
        i++;
        continue;
      case H.LineCR:
        if (buf[i] !== CR) lineEndError(p, buf[i]!, i);
        state = H.LineLF;
        i++;
        continue;
      case H.LineLF:
        if (buf[i] !== LF) p.fail('BARE_CR', i, 'CR not followed by LF');
        return lineDone(p, buf, i + 1);
    }
    // A state's loop ran out of input: the push ends inside a token.
    break;
  }
  p.state = state;
  if (state > H.StartLF) checkRequestLineSoFar(p, base + end);
  return -1;
}

/** One byte of `HTTP/d.d`, at position `p.versionPos`: the state after it. */
function version(p: ParseState, c: number, i: number): H {
  const pos = p.versionPos;
  p.versionPos = pos + 1;
  if (pos < 5) {
    if (c !== HTTP_SLASH[pos]) p.fail('INVALID_VERSION', i, 'Expected HTTP/');
    return H.Version;
  }
  if (pos === 6) {
    if (c !== 0x2e) p.fail('INVALID_VERSION', i, 'Invalid HTTP version');
    return H.Version;
  }
  const digit = c - 0x30;
  if (digit < 0 || digit > 9) p.fail('INVALID_VERSION', i, 'Invalid HTTP version');
  if (pos === 5) {
    p.major = digit;
    return H.Version;
  }
  p.minor = digit;
  if (p.major !== 1 || digit > 1) p.fail('UNSUPPORTED_VERSION', i, `HTTP/${p.major}.${digit} is not supported`);
  return H.LineCR;
}

function lineEndError(p: ParseState, c: number, i: number): never {
  if (c === LF) p.fail('BARE_LF', i, 'Request line ends in LF without CR');
  if (c === SP || c === HTAB) p.fail('UNEXPECTED_SPACE', i, 'Unexpected space after request line');
  return p.fail('INVALID_VERSION', i, 'Expected CRLF after version');
}

/** A field section: the index just past its empty line, or -1 when the input ran out first. */
function readFields(p: ParseState, buf: Buffer, i: number, end: number): number {
  const base = p.base;
  let state = p.state;
  while (i < end) {
    switch (state) {
      // biome-ignore lint/suspicious/noFallthroughSwitchClause: it ends in fieldStartError, which throws (never).
      case H.FieldStart: {
        const c = buf[i]!;
        p.lineStart = base + i;
        if (TCHAR[c] === 1) {
          // Fast path: a well-formed field line wholly in this buffer is read in one go.
          const next = fieldLine(p, buf, i, end);
          if (next > 0) {
            i = next;
            continue;
          }
          state = H.Name;
          i++;
          continue;
        }
        if (c === CR) {
          state = H.HeadLF;
          i++;
          continue;
        }
        fieldStartError(p, c, i);
      }
      case H.Name: {
        while (i < end && TCHAR[buf[i]!] === 1) i++;
        if (i === end) break;
        const c = buf[i]!;
        if (c !== 0x3a) {
          if (c === SP || c === HTAB) p.fail('HEADER_NAME_WHITESPACE', i, 'Whitespace between field name and colon');
          p.fail('INVALID_HEADER_NAME', i, 'Invalid character in field name');
        }
        p.nameEnd = base + i;
        state = H.ValueOws;
        i++;
        continue;
      }
      case H.ValueOws: {
        while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
        if (i === end) break;
        p.valueStart = base + i;
        state = H.Value;
        continue;
      }
      case H.Value: {
        i = scan(VALUE, buf, i, end);
        if (i === end) break;
        const c = buf[i]!;
        if (c !== CR) {
          if (c === LF) p.fail('BARE_LF', i, 'Field line ends in LF without CR');
          p.fail('INVALID_HEADER_VALUE', i, 'Invalid character in field value');
        }
        field(p, buf, p.lineStart - base, p.nameEnd - base, p.valueStart - base, i);
        state = H.ValueLF;
        i++;
        continue;
      }
      case H.ValueLF:
        if (buf[i] !== LF) p.fail('BARE_CR', i, 'CR not followed by LF in a field line');
        i++;
        state = H.FieldStart;
        continue;
      case H.HeadLF:
        if (buf[i] !== LF) p.fail('BARE_CR', i, 'CR not followed by LF at the end of the field section');
        checkFields(p, base + i + 1);
        p.state = H.Start;
        return i + 1;
    }
    break;
  }
  p.state = state;
  checkFields(p, base + end);
  return -1;
}

function fieldStartError(p: ParseState, c: number, i: number): never {
  if (c === SP || c === HTAB) p.fail('OBS_FOLD', i, 'Obsolete line folding or whitespace before a field name');
  if (c === LF) p.fail('BARE_LF', i, 'Field section ends in LF without CR');
  return p.fail('INVALID_HEADER_NAME', i, 'Invalid character in field name');
}

function begin(p: ParseState, start: number): void {
  p.start = start;
  p.markCount = 0;
  p.framingCount = 0;
  p.host = -1;
}

/**
 * Read the request line starting at `i` (its first method byte, checked) if it is whole and
 * well-formed with version HTTP/1.0 or 1.1: returns the index after its CRLF, or -1 to leave
 * it, and the precise error if any, to the states.
 */
function requestLine(p: ParseState, buf: Buffer, i: number, end: number): number {
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
  const base = p.base;
  p.methodEnd = base + methodEnd;
  p.targetStart = base + methodEnd + 1;
  p.targetEnd = base + targetEnd;
  p.major = 1;
  p.minor = minor;
  return v + 10;
}

/** The request line is complete (`i` just past its CRLF): check it as a whole and start the field section. */
function lineDone(p: ParseState, buf: Buffer, i: number): number {
  const base = p.base;
  checkRequestLine(p, base + i);
  const start = p.start - base;
  if (p.methodEnd - p.start === 3 && isHttp2Preface(buf, start, p.targetEnd - p.start)) {
    p.fail('HTTP2_PREFACE', i - 2, 'HTTP/2 connection preface (PRI *): this server speaks HTTP/1.x only');
  }
  p.fieldsStart = base + i;
  p.lineStart = base + i;
  p.state = H.FieldStart;
  return i;
}

/**
 * `PRI *` starts the HTTP/2 connection preface (RFC 9113 §3.4), which is built so that an
 * HTTP/1.1 server fails on it rather than answering a request named PRI.
 */
function isHttp2Preface(buf: Buffer, at: number, lineLength: number): boolean {
  return lineLength === 5 && buf[at] === 0x50 && buf[at + 1] === 0x52 && buf[at + 2] === 0x49 && buf[at + 4] === 0x2a;
}

/** Read the field line at `i` if it is whole and well-formed: returns the index after its CRLF, or -1. */
function fieldLine(p: ParseState, buf: Buffer, i: number, end: number): number {
  const colon = scan(TCHAR, buf, i + 1, end);
  if (colon >= end || buf[colon] !== 0x3a) return -1;
  let valueStart = colon + 1;
  while (valueStart < end && (buf[valueStart] === SP || buf[valueStart] === HTAB)) valueStart++;
  const cr = scan(VALUE, buf, valueStart, end);
  if (cr + 1 >= end || buf[cr] !== CR || buf[cr + 1] !== LF) return -1;
  field(p, buf, i, colon, valueStart, cr);
  return cr + 2;
}

/**
 * Record a complete field line (buffer indexes: name start and end, value start, the CR that
 * ends it). Trailing whitespace is not part of the value (RFC 9112 §5).
 */
function field(p: ParseState, buf: Buffer, nameStart: number, nameEnd: number, valueStart: number, cr: number): void {
  let valueEnd = cr;
  while (valueEnd > valueStart && (buf[valueEnd - 1] === SP || buf[valueEnd - 1] === HTAB)) valueEnd--;
  const base = p.base;
  const n = p.markCount;
  const marks = p.marks;
  marks[n] = base + nameStart;
  marks[n + 1] = base + nameEnd;
  marks[n + 2] = base + valueStart;
  marks[n + 3] = base + valueEnd;
  p.markCount = n + 4;
  const kind = framingField(buf, nameStart, nameEnd - nameStart);
  if (kind === 0) return;
  if (kind === HOST) {
    // Not a framing header: checked now, like a Content-Length, while its bytes are at hand.
    hostField(p, buf, n, valueStart, valueEnd);
    return;
  }
  p.framing[p.framingCount] = n >> 2;
  p.framing[p.framingCount + 1] = kind;
  p.framing[p.framingCount + 2] = base + valueStart;
  p.framingCount += 3;
  if (kind === CONTENT_LENGTH) {
    // Checked as soon as the line is complete, like llhttp: a bad length fails before the head ends.
    parseLength(buf.toString('latin1', valueStart, valueEnd), base + valueStart);
  }
}

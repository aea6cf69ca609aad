/**
 * A head that arrived whole in one buffer, read in one pass: the common case,
 * and the one the parser's speed depends on. It is an optimisation only. It
 * accepts exactly the heads the byte-level states of head.ts accept, and builds
 * the same request; on anything else (a head cut by the end of the push, an
 * empty line before it, any error, a limit passed) it declines without a word,
 * and those states read the head from its first byte again, reporting precisely.
 *
 * What it saves over them: no state kept between bytes or lines, no offsets
 * made stream offsets and back, the checks a field line needs done while its
 * bytes are at hand, and no string made to read a Content-Length.
 */
import * as chars from './chars.ts';
import { CONTENT_LENGTH, framingField, HOST, isLength } from './framing.ts';
import type { ParseState } from './state.ts';
import { hostProblem } from './target.ts';

const { CR, LF, SP, scan } = chars;

/**
 * Read the head at buf[i], a request's first byte, when it is wholly in buf[i, end) and
 * well-formed: the index just past its empty line, with `p` as the byte-level states leave it
 * (decode.ts builds the request from it); or -1, leaving the head to those states.
 */
export const wholeHead = (() => {
  // The byte tables as this closure's constants: a bundler makes a module's top-level `const`s
  // `var`s, which V8 loads and checks again at every byte; a closure's `const` it compiles in
  // (measured: 1.12-1.14x llhttp against 0.98-1.08x, alternating runs). For the same reason the
  // loop writes its bytes as numbers: CR 0x0d, LF 0x0a, SP 0x20, HTAB 0x09.
  const { TARGET, TCHAR, VALUE } = chars;
  return function wholeHead(p: ParseState, buf: Buffer, i: number, end: number): number {
    if (TCHAR[buf[i]!] !== 1) return -1;
    const methodEnd = scan(TCHAR, buf, i + 1, end);
    if (methodEnd >= end || buf[methodEnd] !== 0x20) return -1;
    const targetEnd = scan(TARGET, buf, methodEnd + 1, end);
    if (targetEnd === methodEnd + 1 || !isVersion(buf, targetEnd, end)) return -1;
    const lineEnd = targetEnd + 11;
    if (lineEnd - 2 - i > p.limits.maxRequestLineBytes) return -1;
    // `PRI * HTTP/1.x` is the HTTP/2 preface's start, an error the states report (head.ts).
    if (methodEnd - i === 3 && targetEnd - methodEnd === 2 && buf[i] === 0x50 && buf[methodEnd + 1] === 0x2a) return -1;
    const marks = p.marks;
    const framing = p.framing;
    const base = p.base;
    let count = 0;
    let framingCount = 0;
    let host = false;
    let at = lineEnd;
    for (;;) {
      if (at >= end) return -1;
      const c = buf[at]!;
      if (TCHAR[c] !== 1) {
        if (c === 0x0d && at + 1 < end && buf[at + 1] === 0x0a) break;
        return -1;
      }
      const colon = scan(TCHAR, buf, at + 1, end);
      if (colon >= end || buf[colon] !== 0x3a) return -1;
      let valueStart = colon + 1;
      while (valueStart < end && (buf[valueStart] === 0x20 || buf[valueStart] === 0x09)) valueStart++;
      const cr = scan(VALUE, buf, valueStart, end);
      if (cr + 1 >= end || buf[cr] !== 0x0d || buf[cr + 1] !== 0x0a) return -1;
      let valueEnd = cr;
      while (valueEnd > valueStart && (buf[valueEnd - 1] === 0x20 || buf[valueEnd - 1] === 0x09)) valueEnd--;
      marks[count] = base + at;
      marks[count + 1] = base + colon;
      marks[count + 2] = base + valueStart;
      marks[count + 3] = base + valueEnd;
      const kind = framingField(buf, at, colon - at);
      if (kind === HOST) {
        if (host || hostProblem(buf, valueStart, valueEnd) >= 0) return -1;
        host = true;
      } else if (kind !== 0) {
        if (kind === CONTENT_LENGTH && !isLength(buf, valueStart, valueEnd)) return -1;
        framing[framingCount] = count >> 2;
        framing[framingCount + 1] = kind;
        framing[framingCount + 2] = base + valueStart;
        framingCount += 3;
      }
      count += 4;
      at = cr + 2;
    }
    const headEnd = at + 2;
    if (headEnd - lineEnd > p.limits.maxHeaderBytes || count > 4 * p.limits.maxHeaderCount) return -1;
    p.start = base + i;
    p.methodEnd = base + methodEnd;
    p.targetStart = base + methodEnd + 1;
    p.targetEnd = base + targetEnd;
    p.major = 1;
    p.minor = buf[targetEnd + 8]! - 0x30;
    p.fieldsStart = base + lineEnd;
    p.markCount = count;
    p.framingCount = framingCount;
    return headEnd;
  };
})();

const SP_HTTP_SLASH_1_DOT = [SP, 0x48, 0x54, 0x54, 0x50, 0x2f, 0x31, 0x2e]; // " HTTP/1."

/** Whether buf[at] starts ` HTTP/1.0` or ` HTTP/1.1` and the CRLF that ends a request line. */
function isVersion(buf: Buffer, at: number, end: number): boolean {
  if (at + 10 >= end) return false;
  for (let k = 0; k < 8; k++) {
    if (buf[at + k] !== SP_HTTP_SLASH_1_DOT[k]) return false;
  }
  const minor = buf[at + 8];
  return (minor === 0x30 || minor === 0x31) && buf[at + 9] === CR && buf[at + 10] === LF;
}

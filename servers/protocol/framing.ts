/**
 * What a request's head says about the bytes that follow it (RFC 9112 §6, §9.3):
 * how long its body is, whether the connection stays open, and whether the
 * connection is handed to another protocol. These are the headers request
 * smuggling plays on, so every ambiguity is an error rather than a guess.
 */
import { HttpParseError } from './errors.ts';
import type { HttpRequest } from './types.ts';

/** Returned instead of a length when the body is chunked. */
export const CHUNKED = -1;

/** Digits of the largest Content-Length we read as an exact number (2^53 has 16). */
const MAX_LENGTH_DIGITS = 15;

/**
 * The headers `framing` reads, as `framingField` names them (0: any other field), and Host, which
 * framing ignores and the head checks (target.ts): named here, while the name's bytes are at hand.
 */
export const CONTENT_LENGTH = 1;
const TRANSFER_ENCODING = 2;
const CONNECTION = 3;
const UPGRADE = 4;
export const HOST = 5;
const framingNames = ['', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'host'].map((name) =>
  Buffer.from(name),
);

/**
 * Which framing header, if any, the field name in buf[at, at + length) is, in any case. The
 * parser asks while the name's bytes are at hand (cheaper than comparing strings later), so
 * that `framing` reads only these fields. For a valid token: `| 0x20` folds only letters there.
 */
export function framingField(buf: Uint8Array, at: number, length: number): number {
  const first = buf[at]! | 0x20;
  let kind: number;
  if (length === 14 && first === 0x63) kind = CONTENT_LENGTH;
  else if (length === 10 && first === 0x63) kind = CONNECTION;
  else if (length === 17 && first === 0x74) kind = TRANSFER_ENCODING;
  else if (length === 7 && first === 0x75) kind = UPGRADE;
  else if (length === 4 && first === 0x68) kind = HOST;
  else return 0;
  const name = framingNames[kind]!;
  for (let k = 1; k < length; k++) {
    if ((buf[at + k]! | 0x20) !== name[k]) return 0;
  }
  return kind;
}

/**
 * Read the framing headers of `request`, set its `keepAlive` and `upgrade`, and return the
 * body length (0 for none) or `CHUNKED`. `fields[0, count)` holds a (field index, `framingField`
 * kind, stream offset of the value) triple for every framing header, in order; the offset says
 * where an error is.
 */
export function framing(request: HttpRequest, fields: readonly number[], count: number): number {
  const headers = request.headers;
  let length = -2;
  let te: string | undefined;
  let teAt = 0;
  let close = false;
  let keepAlive = false;
  let connectionUpgrade = false;
  let hasUpgrade = false;
  for (let k = 0; k < count; k += 3) {
    const kind = fields[k + 1]!;
    const value = headers[fields[k]!]![1];
    const at = fields[k + 2]!;
    if (kind === CONTENT_LENGTH) {
      if (length !== -2) {
        // RFC 9112 §6.3 allows merging identical values; like llhttp we refuse any repeat.
        throw new HttpParseError('CONTENT_LENGTH_CONFLICT', at, 'More than one Content-Length');
      }
      length = parseLength(value, at);
    } else if (kind === TRANSFER_ENCODING) {
      te = te === undefined ? value : `${te},${value}`;
      teAt = at;
    } else if (kind === CONNECTION && (value === 'keep-alive' || value === 'close')) {
      // The one token nearly every client sends, as it sends it: no list to walk.
      if (value === 'close') close = true;
      else keepAlive = true;
    } else if (kind === CONNECTION) {
      // Walk the list in place: this runs for most requests, so no split/trim/lower-case copies.
      for (let from = 0; from <= value.length; ) {
        let to = value.indexOf(',', from);
        if (to < 0) to = value.length;
        let a = from;
        let b = to;
        while (a < b && isOws(value.charCodeAt(a))) a++;
        while (b > a && isOws(value.charCodeAt(b - 1))) b--;
        if (sameToken(value, a, b, 'close')) close = true;
        else if (sameToken(value, a, b, 'keep-alive')) keepAlive = true;
        else if (sameToken(value, a, b, 'upgrade')) connectionUpgrade = true;
        from = to + 1;
      }
    } else if (kind === UPGRADE) {
      hasUpgrade = true;
    }
  }
  const http10 = request.versionMinor === 0;
  request.keepAlive = !close && (!http10 || keepAlive);
  request.upgrade = request.method === 'CONNECT' || (connectionUpgrade && hasUpgrade);
  if (te === undefined) return Math.max(length, 0);
  if (length !== -2) {
    throw new HttpParseError('TE_WITH_CONTENT_LENGTH', teAt, 'Transfer-Encoding together with Content-Length');
  }
  // RFC 9112 §6.1: an HTTP/1.0 message with Transfer-Encoding has faulty framing; read it, then close.
  if (http10) request.keepAlive = false;
  return transferCodings(te, teAt);
}

const isOws = (c: number): boolean => c === 0x20 || c === 0x09;

/** Whether text[from, to) is `lower` in any case. For token characters and a lower-case `lower` of letters and '-'. */
function sameToken(text: string, from: number, to: number, lower: string): boolean {
  if (to - from !== lower.length) return false;
  for (let k = 0; k < lower.length; k++) {
    if ((text.charCodeAt(from + k) | 0x20) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** Content-Length: plain digits only (no sign, no list, no inner space), bounded. */
export function parseLength(value: string, at: number): number {
  const n = value.length;
  if (n === 0) throw new HttpParseError('INVALID_CONTENT_LENGTH', at, 'Empty Content-Length');
  let length = 0;
  let significant = 0;
  for (let k = 0; k < n; k++) {
    const digit = value.charCodeAt(k) - 0x30;
    if (digit < 0 || digit > 9)
      throw new HttpParseError('INVALID_CONTENT_LENGTH', at + k, 'Invalid character in Content-Length');
    // Leading zeros are harmless; only significant digits can overflow.
    if (length > 0 || digit > 0) significant++;
    if (significant > MAX_LENGTH_DIGITS)
      throw new HttpParseError('INVALID_CONTENT_LENGTH', at + k, 'Content-Length overflow');
    length = length * 10 + digit;
  }
  return length;
}

/** Whether buf[from, to) is a Content-Length `parseLength` accepts, read from the bytes. */
export function isLength(buf: Uint8Array, from: number, to: number): boolean {
  if (from === to) return false;
  let significant = 0;
  for (let k = from; k < to; k++) {
    const digit = buf[k]! - 0x30;
    if (digit < 0 || digit > 9) return false;
    if (significant > 0 || digit > 0) significant++;
  }
  return significant <= MAX_LENGTH_DIGITS;
}

/**
 * Transfer-Encoding: `chunked` must be last and only once (RFC 9112 §6.1, §7); we decode no other
 * coding. The list is walked in place and trimmed of OWS only (SP, HTAB: RFC 9110 §5.6.3):
 * String.prototype.trim also strips NBSP, which read `chunked\xA0` as chunked where llhttp rejects it.
 */
function transferCodings(te: string, at: number): number {
  let count = 0;
  let firstFrom = 0;
  let firstTo = 0;
  let lastFrom = 0;
  let lastTo = 0;
  for (let from = 0; from <= te.length; ) {
    let to = te.indexOf(',', from);
    if (to < 0) to = te.length;
    let a = from;
    let b = to;
    while (a < b && isOws(te.charCodeAt(a))) a++;
    while (b > a && isOws(te.charCodeAt(b - 1))) b--;
    if (a < b) {
      // Empty list elements do not count (RFC 9110 §5.6.1).
      if (count === 0) {
        firstFrom = a;
        firstTo = b;
      }
      lastFrom = a;
      lastTo = b;
      count++;
    }
    from = to + 1;
  }
  if (count === 0) throw new HttpParseError('INVALID_TRANSFER_ENCODING', at, 'Empty Transfer-Encoding');
  if (!sameToken(te, lastFrom, lastTo, 'chunked')) {
    throw new HttpParseError('TE_NOT_CHUNKED', at, 'Transfer-Encoding whose last coding is not chunked');
  }
  if (count > 1) {
    if (sameToken(te, firstFrom, firstTo, 'chunked'))
      throw new HttpParseError('INVALID_TRANSFER_ENCODING', at, 'chunked applied more than once');
    const coding = te.slice(firstFrom, firstTo).toLowerCase();
    throw new HttpParseError('UNSUPPORTED_TRANSFER_CODING', at, `Transfer coding ${coding} is not supported`);
  }
  return CHUNKED;
}

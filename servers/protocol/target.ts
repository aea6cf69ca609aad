/**
 * Where a request is aimed (RFC 9112 §3.2): its request-target, in one of four
 * forms (origin-form `/a?b`, absolute-form `http://h/a?b`, authority-form
 * `host:port` for CONNECT, asterisk-form `*` for OPTIONS), and its Host field.
 * A target in no form its method may use, a second Host and a Host that is not
 * `host[:port]` are 400, as nginx answers them. The parser keeps the target as
 * sent and cuts the path and query out of it; neither is percent-decoded here.
 */
import * as chars from './chars.ts';
import { HttpParseError } from './errors.ts';
import { HOST } from './framing.ts';
import type { HeaderList, HttpRequest } from './types.ts';

// Module-local copies of the byte tables (see head.ts).
const { HEX, REG_NAME } = chars;

const OPTIONS = [0x4f, 0x50, 0x54, 0x49, 0x4f, 0x4e, 0x53];
const CONNECT = [0x43, 0x4f, 0x4e, 0x4e, 0x45, 0x43, 0x54];

/**
 * Why the target in buf[from, to) has no form the method in buf[method, from - 1) may use, or
 * undefined when it has one. A CONNECT's authority-form is not checked here: its handler reads it.
 */
export function targetFormProblem(buf: Uint8Array, method: number, from: number, to: number): string | undefined {
  const first = buf[from]!;
  if (first === 0x2f) return undefined;
  const methodLength = from - 1 - method;
  if (isMethod(buf, method, methodLength, CONNECT)) return undefined;
  if (first === 0x2a) {
    if (to - from === 1 && isMethod(buf, method, methodLength, OPTIONS)) return undefined;
    return 'The asterisk-form request-target is only for OPTIONS';
  }
  // absolute-form: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986 §3.1)
  if (isAlpha(first)) {
    let k = from + 1;
    while (k < to && isSchemeChar(buf[k]!)) k++;
    if (k < to && buf[k] === 0x3a) return undefined;
  }
  return 'A request-target must start with / (origin-form) or a scheme (absolute-form)';
}

function isMethod(buf: Uint8Array, at: number, length: number, name: readonly number[]): boolean {
  if (length !== name.length) return false;
  for (let k = 0; k < length; k++) if (buf[at + k] !== name[k]) return false;
  return true;
}

const isAlpha = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSchemeChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e;

/**
 * Host: at most one field line (RFC 9112 §3.2: more than one is 400), whose value is empty or
 * `uri-host [ ":" port ]` (RFC 3986 §3.2.2, §3.2.3). `fields[0, count)` holds the (field index,
 * `framingField` kind) pairs of the head, `marks` its four stream offsets per field line.
 */
export function checkHost(
  headers: HeaderList,
  marks: readonly number[],
  fields: readonly number[],
  count: number,
): void {
  let seen = false;
  for (let k = 0; k < count; k += 2) {
    if (fields[k + 1] !== HOST) continue;
    const f = fields[k]!;
    const at = marks[4 * f + 2]!;
    if (seen) throw new HttpParseError('DUPLICATE_HOST', marks[4 * f]!, 'More than one Host field line');
    seen = true;
    const bad = hostProblem(headers[f]![1]);
    if (bad >= 0) throw new HttpParseError('INVALID_HOST', at + bad, 'Invalid Host: not host[:port]');
  }
}

/** The index of the first character that makes `value` not `uri-host [ ":" port ]` or empty, or -1. */
function hostProblem(value: string): number {
  const n = value.length;
  let k = 0;
  if (value.charCodeAt(0) === 0x5b) {
    // IP-literal: "[" IPv6address / IPvFuture "]"; their characters, not their grammar, are checked.
    k = 1;
    while (k < n && (isRegNameChar(value.charCodeAt(k)) || value.charCodeAt(k) === 0x3a)) k++;
    if (k === 1 || value.charCodeAt(k) !== 0x5d) return k;
    k++;
  } else {
    while (k < n) {
      const c = value.charCodeAt(k);
      if (c === 0x25) {
        if (!isHex(value.charCodeAt(k + 1)) || !isHex(value.charCodeAt(k + 2))) return k;
        k += 3;
      } else if (isRegNameChar(c)) k++;
      else break;
    }
  }
  if (k === n) return -1;
  if (value.charCodeAt(k) !== 0x3a) return k;
  for (k++; k < n; k++) if (!isDigit(value.charCodeAt(k))) return k;
  return -1;
}

const isRegNameChar = (c: number): boolean => REG_NAME[c] === 1;
/** For `charCodeAt` past the end too: NaN is no index, and `undefined >= 0` is false. */
const isHex = (c: number): boolean => HEX[c]! >= 0;

/** Fill `path` and `query` from the request-target. */
export function splitTarget(request: HttpRequest, target: string): void {
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

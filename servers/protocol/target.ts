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
import type { ParseState } from './state.ts';
import type { HttpRequest } from './types.ts';

// Module-local copies of the byte tables (see head.ts).
const { HEX, REG_NAME, scan } = chars;

/**
 * Why `target`, sent with `method`, has no form that method may use (RFC 9112 §3.2), or undefined
 * when it has one; for a target that is not origin-form. A CONNECT's authority-form is not checked
 * here: its handler reads it.
 */
function formProblem(method: string, target: string): string | undefined {
  if (method === 'CONNECT') return undefined;
  if (target.charCodeAt(0) === 0x2a) {
    if (target.length === 1 && method === 'OPTIONS') return undefined;
    return 'The asterisk-form request-target is only for OPTIONS';
  }
  // absolute-form: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" (RFC 3986 §3.1)
  if (isAlpha(target.charCodeAt(0))) {
    let k = 1;
    while (k < target.length && isSchemeChar(target.charCodeAt(k))) k++;
    if (target.charCodeAt(k) === 0x3a) return undefined;
  }
  return 'A request-target must start with / (origin-form) or a scheme (absolute-form)';
}

const isAlpha = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSchemeChar = (c: number): boolean => isAlpha(c) || isDigit(c) || c === 0x2b || c === 0x2d || c === 0x2e;

/** `ParseState.host` in a trailer section: a Host there is not where the request is aimed, and not checked. */
export const NOT_IN_HEAD = -2;

/**
 * A Host field line, complete in buf (`n`: its `marks` index; its value in buf[from, to)): at most
 * one (RFC 9112 §3.2: more than one is 400), whose value is empty or `uri-host [ ":" port ]`
 * (RFC 3986 §3.2.2, §3.2.3). Checked from the bytes as the line completes, like a Content-Length.
 */
export function hostField(p: ParseState, buf: Uint8Array, n: number, from: number, to: number): void {
  if (p.host === NOT_IN_HEAD) return;
  if (p.host >= 0) throw new HttpParseError('DUPLICATE_HOST', p.marks[n]!, 'More than one Host field line');
  p.host = n;
  const bad = hostProblem(buf, from, to);
  if (bad >= 0) throw new HttpParseError('INVALID_HOST', p.base + bad, 'Invalid Host: not host[:port]');
}

/** The index of the first byte that makes buf[from, to) not `uri-host [ ":" port ]` or empty, or -1. */
export function hostProblem(buf: Uint8Array, from: number, to: number): number {
  let k = from;
  if (buf[k] === 0x5b && k < to) {
    // IP-literal: "[" IPv6address / IPvFuture "]"; their characters, not their grammar, are checked.
    k++;
    while (k < to && (REG_NAME[buf[k]!] === 1 || buf[k] === 0x3a)) k++;
    if (k === from + 1 || k === to || buf[k] !== 0x5d) return k;
    k++;
  } else {
    for (;;) {
      k = scan(REG_NAME, buf, k, to);
      if (k + 2 < to && buf[k] === 0x25 && HEX[buf[k + 1]!]! >= 0 && HEX[buf[k + 2]!]! >= 0) k += 3;
      else break;
    }
  }
  if (k === to) return -1;
  if (buf[k] !== 0x3a) return k;
  for (k++; k < to; k++) if (!isDigit(buf[k]!)) return k;
  return -1;
}

/**
 * Fill `path` and `query` from the request-target, which starts at stream offset `at`; refuse a
 * target in no form the request's method may use. Checked here, where the target's first byte is
 * tested anyway, rather than in the request line's hot path (measured: a few percent of a GET).
 */
export function splitTarget(request: HttpRequest, target: string, at: number): void {
  let from = 0;
  if (target.charCodeAt(0) !== 0x2f) {
    const problem = formProblem(request.method, target);
    if (problem !== undefined) throw new HttpParseError('INVALID_TARGET', at, problem);
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

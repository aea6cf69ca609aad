/**
 * The request-target (RFC 9112 §3.2) in its four forms: origin-form `/a?b`,
 * absolute-form `http://h/a?b`, authority-form `host:port` (CONNECT) and
 * asterisk-form `*`. The parser keeps the target as sent and cuts the path and
 * query out of it; neither is percent-decoded here.
 */
import type { HttpRequest } from './types.ts';

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

/**
 * `Expect` (RFC 9110 §10.1.1): a client that sends `Expect: 100-continue`
 * waits for `HTTP/1.1 100 Continue` before it sends its body, so that a server
 * can refuse a request by its head alone. The driver answers 100 when it starts
 * waiting for such a body, and 417 to an expectation it cannot meet.
 */
import { getHeader, type HttpRequest } from '../protocol/types.ts';

/** The interim response, sent before the body is read. */
export const continueBytes = Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1');

/** What the driver does with a request's expectation. */
export type Expectation = 'none' | 'continue' | 'unmet';

/** A complete request's expectation: an HTTP/1.0 one is ignored, as the RFC says. */
export function expectationOf(request: HttpRequest): Expectation {
  if (request.versionMinor === 0) return 'none';
  return judge(getHeader(request.headers, 'expect'));
}

/**
 * The expectation of a request whose head is complete but whose body is not,
 * from the head's bytes (leading blank lines allowed). The parser yields a request
 * only with its body, so the driver reads the one field it needs itself; the
 * parser has accepted this head already (strict CRLF, no obs-fold, no space before
 * a colon), so splitting it by lines and colons is exact.
 */
export function pendingExpectation(bytes: Buffer): Expectation {
  let start = 0;
  while (bytes[start] === 0x0d || bytes[start] === 0x0a) start++;
  const end = bytes.indexOf('\r\n\r\n', start, 'latin1');
  if (end < 0) return 'none';
  const [requestLine = '', ...fields] = bytes.toString('latin1', start, end).split('\r\n');
  if (requestLine.endsWith(' HTTP/1.0')) return 'none';
  const values: string[] = [];
  for (const field of fields) {
    const colon = field.indexOf(':');
    if (colon === 6 && field.slice(0, 6).toLowerCase() === 'expect') values.push(field.slice(7).trim());
  }
  return judge(values.length === 0 ? undefined : values.join(', '));
}

/** `100-continue` (case-insensitive) is the only expectation HTTP defines; any other is unmet. */
function judge(value: string | undefined): Expectation {
  if (value === undefined) return 'none';
  return value.toLowerCase() === '100-continue' ? 'continue' : 'unmet';
}

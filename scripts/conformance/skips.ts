/**
 * The one list of llhttp vectors this project deliberately does not follow,
 * each with its reason and the RFC clause behind it. The runner reports them as
 * skipped, never as passed. A vector we would pass anyway (say, one where
 * llhttp rejects an RTSP line and so do we) is run, not skipped. Accepting bytes that llhttp rejects for framing or
 * smuggling reasons never belongs here.
 */
import type { Vector } from './vectors.ts';

/** Why a vector is not held against the parser. */
export interface Skip {
  /** Which vectors: by mode, tag or id. */
  applies: (vector: Vector) => boolean;
  reason: string;
  clause: string;
}

export const skips: readonly Skip[] = [
  {
    applies: (v) => v.mode !== 'strict',
    reason: 'leniency modes are llhttp options this parser does not offer: it is always strict',
    clause: 'RFC 9112 §2.2, §5.2, §6.3, §7.1 (the strict readings)',
  },
  {
    applies: (v) => v.expect.ok && (v.tags.includes('protocol-rtsp') || v.tags.includes('protocol-ice')),
    reason: 'RTSP and ICE request lines are other protocols; we answer only HTTP/1.x',
    clause: 'RFC 9112 §2.3 (HTTP-version is "HTTP/" DIGIT "." DIGIT)',
  },
  {
    applies: (v) => v.expect.ok && v.tags.includes('no-version'),
    reason: 'HTTP/0.9 request lines (no version) are rejected with 400, not parsed',
    clause: 'RFC 9112 §3 (request-line requires HTTP-version); Appendix C.1',
  },
  {
    applies: (v) => v.id === 'transfer-encoding/POST with `chunked` as last transfer-encoding (multiple headers)',
    reason:
      'a coding before chunked (e.g. deflate) is answered 501 because the server cannot decode it; llhttp frames the body and passes it on still encoded. Rejecting is the safe side',
    clause: 'RFC 9112 §6.1 (a server SHOULD answer 501 to a transfer coding it does not understand)',
  },
];

/** The skip that applies to `vector`, if any. */
export function skipFor(vector: Vector): Skip | undefined {
  return skips.find((skip) => skip.applies(vector));
}

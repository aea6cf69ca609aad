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
    applies: (v) => v.expect.ok && hasCodingBeforeChunked(Buffer.from(v.raw_base64, 'base64').toString('latin1')),
    reason:
      'a coding before chunked (e.g. `deflate, chunked`, in one field line or several) is answered 501 because the server cannot decode it; llhttp frames the body and passes it on still encoded. Rejecting is the safe side',
    clause: 'RFC 9112 §6.1 (a server SHOULD answer 501 to a transfer coding it does not understand)',
  },
  {
    applies: (v) => !v.expect.ok && /^Invalid method for HTTP\//.test(v.expect.reason),
    reason:
      'a method llhttp keeps for RTSP (e.g. ANNOUNCE) on an HTTP/1.x request line is read as the token it is; the application answers 501 to a method it does not know. Nothing about the framing changes',
    clause: 'RFC 9110 §9.1 (a method is any token; an unknown one SHOULD be answered 501)',
  },
];

/**
 * Whether the head in `raw` has Transfer-Encoding codings, over all its field lines, that end in
 * chunked with another coding before it (what framing.ts answers with 501).
 */
function hasCodingBeforeChunked(raw: string): boolean {
  const head = raw.slice(0, Math.max(0, raw.indexOf('\r\n\r\n')));
  const codings = [...head.matchAll(/^transfer-encoding:([^\r]*)$/gim)]
    .flatMap((m) => m[1]!.split(','))
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '');
  return codings.length > 1 && codings.at(-1) === 'chunked' && codings[0] !== 'chunked';
}

/** The skip that applies to `vector`, if any. */
export function skipFor(vector: Vector): Skip | undefined {
  return skips.find((skip) => skip.applies(vector));
}

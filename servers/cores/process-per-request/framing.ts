/**
 * How a request goes to a per-request child on its standard input and its
 * response comes back on standard output: a 4-byte big-endian length, that many
 * bytes of JSON (everything but the body), then the body's raw bytes to the end
 * of the stream. Compact, and binary-safe without escaping the body.
 */
import type { AppConfig } from '../../app/config.ts';
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';

/** What the parent sends: the request without its body, and the application's config. */
export interface RequestFrame {
  request: Omit<HttpRequest, 'body'>;
  config: AppConfig;
}

/** What the child answers: the response without its body. */
export type ResponseFrame = Omit<HttpResponse, 'body'>;

export function encodeFrame(meta: object, body: Uint8Array | string): Buffer {
  const json = Buffer.from(JSON.stringify(meta));
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const out = Buffer.allocUnsafe(4 + json.length + bytes.length);
  out.writeUInt32BE(json.length, 0);
  json.copy(out, 4);
  out.set(bytes, 4 + json.length);
  return out;
}

/** The frame's JSON part and body, or undefined when the bytes are not a whole frame. */
export function decodeFrame<T>(bytes: Buffer): { meta: T; body: Buffer } | undefined {
  if (bytes.length < 4) return undefined;
  const length = bytes.readUInt32BE(0);
  if (4 + length > bytes.length) return undefined;
  try {
    const meta = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as T;
    return { meta, body: bytes.subarray(4 + length) };
  } catch {
    return undefined;
  }
}

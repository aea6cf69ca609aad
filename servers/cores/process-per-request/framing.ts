/**
 * How a request goes to a per-request child on its standard input and its
 * response comes back on standard output: a 4-byte big-endian length, that many
 * bytes of JSON (everything but the body), then the body's raw bytes to the end
 * of the stream. Compact, and binary-safe without escaping the body.
 */
import type { AppConfig } from '../../app/config.ts';
import type { FileBody, FileResponse } from '../../app/file-body.ts';
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';

/** What the parent sends: the request without its body, and the application's config. */
export interface RequestFrame {
  request: Omit<HttpRequest, 'body'>;
  config: AppConfig;
}

/**
 * What the child answers: the response without its body. A body that lies in a file crosses as its
 * descriptor (path and range, file-body.ts), not its bytes: the parent, which holds the socket,
 * streams it from its event loop (../file-stream.ts).
 */
export type ResponseFrame = Omit<HttpResponse, 'body'> & { file?: FileBody };

/** The child's frame of `response`. */
export function encodeResponse(response: HttpResponse): Buffer {
  const { status, headers } = response;
  const file = (response as Partial<FileResponse>).file;
  return encodeFrame({ status, headers, ...(file && { file }) } satisfies ResponseFrame, response.body);
}

/** The response in a child's frame, or undefined when the bytes are not a whole frame. */
export function decodeResponse(bytes: Buffer): HttpResponse | undefined {
  const frame = decodeFrame<ResponseFrame>(bytes);
  if (frame === undefined) return undefined;
  const { status, headers, file } = frame.meta;
  if (file === undefined) return { status, headers, body: frame.body };
  const response: FileResponse = { status, headers, body: frame.body, file: { ...file, io: 'async' } };
  return response;
}

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

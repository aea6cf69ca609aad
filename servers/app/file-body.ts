/**
 * A response body that lies in a file: what a static file's answer sends, named
 * apart from its bytes so that the connection driver can one day stream it in
 * bounded chunks (see "Large files" in docs/protocol.md). Today the driver and
 * the serializer take bytes only, so `bodyBytes` reads a body that is small
 * enough into memory and refuses a larger one, rather than hold gigabytes.
 */
import type { AppIO } from './io.ts';

/** Bytes [start, end) of the file at `path`. Plain data: it can cross into a worker or a CGI parent. */
export interface FileBody {
  kind: 'file';
  path: string;
  start: number;
  end: number;
}

/** The largest file body read into memory when the config does not say (`maxInMemoryBodyBytes`). */
export const defaultMaxInMemoryBodyBytes = 64 * 1024 * 1024;

/**
 * The bytes of `body`; undefined when its file is gone; 'too-large' when it is over
 * `max` bytes, which only a driver that streams files could send in bounded memory.
 */
export async function bodyBytes(io: AppIO, body: FileBody, max: number): Promise<Uint8Array | undefined | 'too-large'> {
  if (body.end - body.start > max) return 'too-large';
  return io.readFile(body.path, body.start, body.end);
}

/**
 * A response body that lies in a file: what a static file's answer sends when its
 * body is too large to hold in memory (`maxInMemoryBodyBytes`). The application
 * answers with the head (Content-Length included) and this descriptor instead of
 * the bytes; the side that holds the socket sends the bytes in bounded chunks
 * (servers/cores/file-stream.ts; "Large files" in docs/protocol.md). Plain data,
 * so that it crosses from a worker thread or a CGI child as the request came in.
 */
import type { HttpResponse } from '../protocol/types.ts';

/** Bytes [start, end) of the file at `path`, as the application described it. */
export interface FileBody {
  kind: 'file';
  path: string;
  start: number;
  end: number;
  /** The file's size and modification time at the application's stat: a file changed since is not sent. */
  size: number;
  mtimeMs: number;
  /**
   * How the sender reads the chunks: `sync` on the blocking model's one thread, `async` on an
   * event loop (a process-per-request parent takes a child's descriptor as `async`).
   */
  io: 'sync' | 'async';
}

/** A response whose body is `file`: its `body` is empty and its headers carry the Content-Length. */
export interface FileResponse extends HttpResponse {
  file: FileBody;
}

/**
 * The largest static body read whole into memory and sent in one write when the config does not
 * say (`maxInMemoryBodyBytes`): the largest file the benchmarks serve (1 MiB). A larger body is
 * streamed.
 */
export const defaultMaxInMemoryBodyBytes = 1024 * 1024;

/** The file body of `response` that is to go on the wire, or undefined when there is none to send. */
export function fileToSend(response: HttpResponse, method: string): FileBody | undefined {
  const file = (response as Partial<FileResponse>).file;
  // No content in an answer to HEAD or a 304 (RFC 9110 §9.3.2, §15.4.5): nothing is opened for them.
  if (file === undefined || method === 'HEAD' || response.status === 304) return undefined;
  return file;
}

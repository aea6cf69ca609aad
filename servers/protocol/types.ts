/**
 * The data that crosses the protocol layer: what the parser yields and what the
 * serializer takes. Plain data on purpose: a request must survive structured
 * cloning into a worker thread and JSON into a child process unchanged.
 */

/** Header fields in arrival order, each with its name as sent (not lower-cased). */
export type HeaderList = Array<[name: string, value: string]>;

/** One complete HTTP/1.x request, as the parser yields it. */
export interface HttpRequest {
  /** The method token as sent (`GET`, `PURGE`, ...). The parser accepts any valid token. */
  method: string;
  /** The request-target exactly as sent: origin-form, absolute-form, authority-form or `*`. */
  target: string;
  /** The path of the target (`/a/b` for `/a/b?x=1` and for `http://h/a/b?x=1`; `*` for `*`). Not percent-decoded. */
  path: string;
  /** The query without its `?`; empty when there is none. Not percent-decoded. */
  query: string;
  versionMajor: number;
  versionMinor: number;
  /** Header fields in order; values have leading and trailing whitespace removed. */
  headers: HeaderList;
  /** Trailer fields of a chunked body (empty otherwise). */
  trailers: HeaderList;
  /** The whole body, de-chunked. */
  body: Uint8Array;
  /** Whether the connection may carry another request after this one (version defaults and `Connection`). */
  keepAlive: boolean;
  /** True for CONNECT and for a request with `Upgrade` that the parser stopped after. */
  upgrade: boolean;
}

/** A response as the application builds it; the serializer adds the framing headers. */
export interface HttpResponse {
  status: number;
  /**
   * Headers chosen by the application. The serializer adds `Date`, `Server`,
   * `Content-Length` (unless `Transfer-Encoding` is given) and `Connection: close`
   * when the connection will close; the application does not set those.
   */
  headers: HeaderList;
  /** The body; ignored on the wire for HEAD, 204 and 304 (but its length still sets Content-Length for HEAD). */
  body: Uint8Array | string;
}

/** Limits the parser enforces; each has the status it maps to. */
export interface ParserLimits {
  /** Longest request line in bytes (414 beyond). */
  maxRequestLineBytes: number;
  /** Largest header section in bytes, request line excluded (431 beyond). */
  maxHeaderBytes: number;
  /** Most header fields (431 beyond). */
  maxHeaderCount: number;
  /** Largest body in bytes (413 beyond). */
  maxBodyBytes: number;
}

export const defaultLimits: Readonly<ParserLimits> = Object.freeze({
  maxRequestLineBytes: 8 * 1024,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 8 * 1024 * 1024,
});

/** Case-insensitive lookup of the first field named `name` (give `name` in lower case). */
export function getHeader(headers: HeaderList, name: string): string | undefined {
  for (const [key, value] of headers) {
    if (key.length === name.length && key.toLowerCase() === name) return value;
  }
  return undefined;
}

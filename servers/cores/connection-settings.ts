/**
 * What the connection driver (connection.ts) is given: the model's dispatch and the settings every
 * connection runs by. Apart from the driver so that a core's setup can name them without the driver.
 */
import type { HttpRequest, HttpResponse, ParserLimits } from '../protocol/types.ts';
import type { Injection } from './inject.ts';

/**
 * Runs one request's handler, the model's way. It must resolve; a rejection is answered 500.
 * `connected` says whether the request's client is still there: a model that queues requests
 * (process-per-request waiting for a child slot) starts no work for one that left. A model whose
 * handler runs on the driver's own thread may return an answer it has at once as it is: the
 * driver writes it without the promise and the microtask turn a promise costs.
 */
export type Dispatch = (request: HttpRequest, connected?: () => boolean) => HttpResponse | Promise<HttpResponse>;

/** What the driver needs besides the dispatch. */
export interface ConnectionSettings {
  limits: ParserLimits;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  /** Cut a connection whose client has read none of our buffered response bytes for this long. */
  sendTimeoutMs: number;
  /** A whole request (head and body) must arrive within this long of its first byte, or 408... */
  requestTimeoutMs: number;
  /** ...moved later by each byte received at this many bytes a second, but never past `requestTimeoutMs` after the last. */
  minRequestBytesPerSecond: number;
  /**
   * Gather the responses to a pipelined batch into one write (default). The blocking core
   * turns it off: a blocking server writes each response before it reads the next request.
   */
  batchPipelined?: boolean | undefined;
  /** Common Log Format file every response is logged to; undefined (the default) logs nothing and costs nothing. */
  accessLog?: string | undefined;
  /** TEST-ONLY work added before every dispatch (see `inject.ts`). */
  inject?: Injection | undefined;
}

/**
 * One request of a scenario, as every client of the harness sends it: the load
 * generators, the check before timing and the slow clients. It lives apart from
 * all of them so that none imports another for it.
 */

/** One request in a scenario's cycle. */
export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Latency group this request's responses are recorded under (mixed: `cheap`, `expensive`). */
  group?: string;
}

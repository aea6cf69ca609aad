/** The shape of a row of the exchanges table (servers/app/exchanges.ts). */

/** Response headers as node:http's client and the benchmark's client give them: lower-case names. */
export type ResponseHeaders = Record<string, string | string[] | number | undefined>;

/** One request and what its answer must be. */
export interface Exchange {
  name: string;
  method: string;
  /** The request-target (path and query). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  expect: {
    status: number;
    /** Lower-case header names: an exact value, or a pattern the value must match. */
    headers?: Record<string, string | RegExp>;
    /** The exact body, or a check that returns what is wrong (undefined when right). */
    body?: string | Uint8Array | ((body: Uint8Array) => string | undefined);
    /** Lower-case names of headers that must not be present. */
    absentHeaders?: string[];
    /** A check across headers (what one pattern per header cannot say): what is wrong, or undefined. */
    headersCheck?: (headers: ResponseHeaders) => string | undefined;
  };
}

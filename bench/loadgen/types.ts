/**
 * The seam between the harness and whatever generates load. A load generator
 * takes a job (where, how many connections, for how long, which requests) and
 * returns what it measured; the harness adds the server's resource figures.
 * autocannon, wrk and the open-loop client implement it (registry.ts); the
 * slow clients run beside one of them.
 */
import type { LoadRequest } from '../http/request.ts';
import type { Latency, SlowClientsFigures } from '../results/schema.ts';

export type { LoadRequest };

/** What to run: every connection walks `requests` in order, round and round. */
export interface LoadJob {
  /** `http://127.0.0.1:PORT` */
  url: string;
  connections: number;
  durationSec: number;
  /** Requests in flight per connection (1 = no pipelining). */
  pipelining: number;
  /** Open a new connection for every request (the `close` scenario). */
  newConnectionPerRequest: boolean;
  /**
   * Each connection keeps a cookie jar: the `Set-Cookie` of an answer is sent back as `Cookie` on the
   * connection's next request (the session scenario). Only generators that can do so take such a job.
   */
  cookieJar?: boolean;
  requests: LoadRequest[];
  /** A request unanswered for this long counts as a timeout. */
  timeoutSec: number;
  /** Open-loop target rate in requests/s, for generators that support it; undefined = closed loop. */
  rate?: number | undefined;
}

/** What a load generator measured in one job. */
export interface LoadResult {
  /** Wall time of the measured window. */
  durationSec: number;
  /** Completed responses (any status). */
  requests: number;
  /** Response bytes received. */
  bytes: number;
  latencyUs: Latency;
  groups?: Record<string, { requests: number; latencyUs: Latency }>;
  /** Connection and protocol errors, timeouts excluded. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** Requests still unanswered at the end, and the oldest one's wait (µs), when the generator can tell. */
  unanswered?: number;
  oldestUnansweredUs?: number;
  /** CPU seconds (user + system) the load generator used for this job. */
  cpuSec: number;
  /** Anything the generator wants recorded about how it measured (e.g. why groups are missing). */
  notes: string[];
  /** What the slow-clients scenario's slow connections did beside this job (bench/loadgen/slow-clients.ts). */
  slowClients?: SlowClientsFigures;
}

/** A load generator, pinned where the harness says. */
export interface LoadGenerator {
  readonly name: string;
  /** True when it can keep a cookie jar per connection (LoadJob.cookieJar). */
  readonly keepsCookies?: boolean;
  run(job: LoadJob): Promise<LoadResult>;
  /** Stop anything still running and release the generator's processes. */
  close(): Promise<void>;
}

/** Where and how to start a load generator. */
export interface LoadGeneratorOptions {
  /** CPU list for taskset, or null to leave it unpinned. */
  cpus: string | null;
  /** Called with the PID of every process the generator starts, so an interrupt can stop it. */
  onProcess?: (pid: number) => void;
}

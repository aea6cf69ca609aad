/**
 * The one place a server's settings default: `serve.ts`, the tests and the
 * harness start from this object and override single fields. The cores never
 * import it: they read what their `CoreOptions` say.
 */
import { availableParallelism } from 'node:os';
import { defaultLimits } from './protocol/types.ts';
import { defaultMaxUploadBytes } from './app/config.ts';
import type { CoreOptions } from './cores/types.ts';

/** The largest body PUT /upload/<name> accepts. */
export const maxUploadBytes = defaultMaxUploadBytes;

/** How long `close()` waits for in-flight requests before it cuts the remaining connections. */
export const drainTimeoutMs = 5_000;

/**
 * Connections one database pool holds (`--db-pool`): the event loop and node:http have one pool,
 * the worker pool one per worker thread, prefork one per process. Eight keep a 2-CPU database
 * server busy without queueing many queries inside it.
 */
export const defaultDatabasePoolSize = 8;

/** Everything but the folders, which each server gets fresh (see `serve.ts`). */
export const serverDefaults: Readonly<Omit<CoreOptions, 'root' | 'uploadDir'>> = Object.freeze({
  host: '127.0.0.1',
  port: 0,
  limits: defaultLimits,
  maxUploadBytes,
  credentials: Object.freeze({ user: 'demo', password: 'demo' }),
  // node:http's defaults (5 s keep-alive, 60 s headers) would let a slowloris client hold
  // the blocking core for a minute; 10 s bounds that while leaving slow real clients room.
  keepAliveTimeoutMs: 5_000,
  headersTimeoutMs: 10_000,
  // A request whose bytes stop coming is answered 408 and closed 30 s after its last byte at the
  // latest (node:http's requestTimeout is 300 s); a body sent at 500 bytes/s or more (Apache's
  // MinRate for bodies) earns the time it needs: 8 MiB at 500 bytes/s, about 4.7 hours.
  requestTimeoutMs: 30_000,
  minRequestBytesPerSecond: 500,
  // nginx's send_timeout is 60 s between two reads by the client; 30 s, as the request timeout.
  sendTimeoutMs: 30_000,
  drainTimeoutMs,
  accessLog: undefined,
  threads: availableParallelism(),
  // 64 queued requests per worker: enough to keep the pool busy between
  // dispatches, small enough that an overload answers 503 instead of queueing for seconds.
  maxQueue: availableParallelism() * 64,
  // Two children per CPU this process may run on (availableParallelism() follows taskset's
  // affinity on Linux): a child computes through most of its start-up, so more would only
  // queue for the CPUs, and the second per CPU covers a child that waits on its backend.
  maxChildren: 2 * availableParallelism(),
  reusePort: undefined,
  database: undefined,
  inject: undefined,
});

/**
 * The contract between a core and whoever starts it. It imports no defaults:
 * `servers/defaults.ts` fills these types, and the cores read only what they are given.
 */
import type { DatabaseSettings } from '../app/db/settings.ts';
import type { ParserLimits } from '../protocol/types.ts';
import type { Injection } from './inject.ts';

/** Everything a core needs to start; `serve.ts` and the tests fill it from defaults and flags. */
export interface CoreOptions {
  host: string;
  /** 0 picks any free port. */
  port: number;
  /** Document root served under /static. */
  root: string;
  /** Folder for PUT /upload/<name>. */
  uploadDir: string;
  /** The largest body PUT /upload/<name> accepts. */
  maxUploadBytes: number;
  limits: ParserLimits;
  /** Basic-auth credentials for /private. */
  credentials: { user: string; password: string };
  /** Close an idle keep-alive connection after this long. */
  keepAliveTimeoutMs: number;
  /** Close a connection whose request head has not arrived in full after this long (slowloris). */
  headersTimeoutMs: number;
  /** Cut a connection whose client reads none of the response bytes we hold for it for this long. */
  sendTimeoutMs: number;
  /**
   * A request (head and body) must be complete this long after its first byte, or it is answered
   * 408 and closed; each byte received moves that later at `minRequestBytesPerSecond`, but never
   * past this long after the last byte: a request whose bytes stop coming is cut within it.
   */
  requestTimeoutMs: number;
  /** The slowest a request's bytes may come and still earn more time (Apache mod_reqtimeout's MinRate). */
  minRequestBytesPerSecond: number;
  /** How long `close()` waits for in-flight requests before it cuts the remaining connections. */
  drainTimeoutMs: number;
  /** Common Log Format access log file, or undefined for none. */
  accessLog?: string | undefined;
  /** Pool size for the models that have one (worker-pool, prefork); default: the number of CPUs. */
  threads?: number | undefined;
  /** Most queued tasks for the worker pool before it answers 503. */
  maxQueue?: number | undefined;
  /**
   * Most per-request children running at once (process-per-request), as inetd's per-service
   * instance limit or Apache's MaxRequestWorkers; a request over it waits in the parent.
   */
  maxChildren: number;
  /** The database server the database routes query; undefined: they answer 503. */
  database?: DatabaseSettings | undefined;
  /** Listen with SO_REUSEPORT, so that several sockets share the port (the reuseport model's threads). */
  reusePort?: boolean | undefined;
  /** TEST-ONLY fault injection (see `inject.ts`); undefined in every real run. */
  inject?: Injection | undefined;
}

/** A started server. */
export interface RunningServer {
  /** `http://HOST:PORT` */
  url: string;
  /** Drains in-flight requests; resolves when every socket, child process and worker is gone. */
  close(): Promise<void>;
}

/** One model of serving: the unit the registry names and the harness loads. */
export interface ServerCore {
  /** The model's name as the command line takes it (`event-loop`). */
  name: string;
  /** One line: how this model serves clients. */
  summary: string;
  /** When the model cannot run here (e.g. reusePort on Node 20), why; undefined when it can. */
  unavailable?: string | undefined;
  start(options: CoreOptions): Promise<RunningServer>;
}

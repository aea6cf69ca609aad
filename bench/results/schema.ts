/**
 * The results file: the one contract between the harness (which writes it) and
 * everything that reads it (report, compare, dashboard, findings). Validated with
 * zod on write and on read. Extend it by adding optional fields; a change that
 * breaks readers bumps RESULTS_VERSION.
 */
import { z } from 'zod';

export const RESULTS_SCHEMA = 'server-models/results';
export const RESULTS_VERSION = 1;

/** Latency figures in microseconds, from an HDR histogram of per-response times. */
export const Latency = z.object({
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  p999: z.number().nonnegative(),
  max: z.number().nonnegative(),
  mean: z.number().nonnegative(),
  /** The percentile spectrum, [percentile (0-100), latency µs] pairs, for HDR-style plots. */
  spectrum: z.array(z.tuple([z.number(), z.number()])).optional(),
});
export type Latency = z.infer<typeof Latency>;

/** One measured (or warm-up) run of a cell. */
export const Trial = z.object({
  /** The round it was measured in, in a run of several rounds (`--rounds`); absent in a run of one. */
  round: z.number().int().positive().optional(),
  durationSec: z.number().positive(),
  requests: z.number().int().nonnegative(),
  requestsPerSec: z.number().nonnegative(),
  bytesPerSec: z.number().nonnegative(),
  latencyUs: Latency,
  /** Latency per request group where the scenario has several (mixed: `cheap`, `expensive`). */
  groups: z.record(z.string(), z.object({ requests: z.number().int().nonnegative(), latencyUs: Latency })).optional(),
  errors: z.number().int().nonnegative(),
  timeouts: z.number().int().nonnegative(),
  non2xx: z.number().int().nonnegative(),
  /**
   * Requests sent but still unanswered when the trial ended, and how long the
   * oldest had waited (µs): connections a model left starving, which latency
   * percentiles of answered requests cannot show. Absent when the load generator cannot tell.
   */
  unanswered: z.number().int().nonnegative().optional(),
  oldestUnansweredUs: z.number().nonnegative().optional(),
  /** CPU seconds (user + system) of the server's whole process tree during the trial. */
  serverCpuSec: z.number().nonnegative(),
  /** Peak resident set of the server's process tree during the trial. */
  serverPeakRssBytes: z.number().nonnegative(),
  /**
   * False when the harness could not sample the server (one it did not start:
   * --target-url): serverCpuSec and serverPeakRssBytes are then 0, not measured.
   * Absent = sampled.
   */
  serverSampled: z.boolean().optional(),
  /**
   * A database scenario's database server (the postgres process tree) during the trial: CPU seconds and
   * peak resident set, absent for a server the harness did not start (--db-url); and the most
   * connections the server under test held to it at once (pg_stat_activity, sampled every 250 ms).
   */
  dbCpuSec: z.number().nonnegative().optional(),
  dbPeakRssBytes: z.number().nonnegative().optional(),
  dbConnections: z.number().int().nonnegative().optional(),
  /** CPU seconds of the load generator during the trial, and as a share of one core (0-1+). */
  loadgenCpuSec: z.number().nonnegative(),
  loadgenCpuShare: z.number().nonnegative(),
  /**
   * CPU seconds the rest of the machine used during the trial: every CPU's busy time (/proc/stat)
   * less the server's tree, the load generator and the harness. Another job on a shared machine
   * shows here; its CPUs were not the server's. Absent when not measured.
   */
  otherCpuSec: z.number().nonnegative().optional(),
  /**
   * The slow-clients scenario's slow connections during this window. They are
   * not in the figures above, which are the load generator's (fast) connections.
   */
  slowClients: z
    .object({
      connections: z.number().int().positive(),
      /** Slow requests answered correctly within the window. */
      completed: z.number().int().nonnegative(),
      /** Wrong or non-2xx answers (a 408: the server's headers timeout cut the request). */
      failed: z.number().int().nonnegative(),
      /** Connections closed or broken by the server with a request under way. */
      errors: z.number().int().nonnegative(),
      /** Mean time from a completed request's first byte sent to its whole answer received. */
      meanRequestMs: z.number().nonnegative(),
    })
    .optional(),
});
export type Trial = z.infer<typeof Trial>;
/** What the slow senders of the slow-clients scenario did in one window. */
export type SlowClientsFigures = NonNullable<Trial['slowClients']>;

/** Median and spread of one figure over a cell's trials. */
export const Stat = z.object({
  median: z.number(),
  min: z.number(),
  max: z.number(),
  /** Median absolute deviation divided by the median (0 for one trial). */
  relSpread: z.number().nonnegative(),
});
export type Stat = z.infer<typeof Stat>;

export const CellStatus = z.enum(['ok', 'failed', 'skipped']);

/** One cell: a model under one scenario at one connection count. */
export const Cell = z.object({
  model: z.string(),
  /** `model` for ours, `peer` for reference servers (node-http, nginx, a --target). */
  kind: z.enum(['model', 'peer']).default('model'),
  scenario: z.string(),
  connections: z.number().int().positive(),
  loadgen: z.string(),
  /** The Node version that served the cell (our models and the node-http peer; `--node`). */
  node: z.string().optional(),
  /**
   * How the load was offered: `closed` (each connection sends its next request
   * when answered) or `open` (a fixed schedule, every response timed from when
   * its request was due). Absent in runs without `--rate`: closed.
   */
  loadMode: z.enum(['closed', 'open']).optional(),
  /**
   * cached-queries: which cache answered, `in-process` (the application's own map, the default) or
   * `redis` (a cache server the run gave the servers). Absent for other scenarios.
   */
  cache: z.enum(['in-process', 'redis']).optional(),
  /** Open loop: the rate asked for (`2000/s`, `70%`), the requests/s it came to, and the responses/s achieved (median of the trials). */
  rate: z
    .object({ requested: z.string(), targetRps: z.number().positive(), achievedRps: z.number().nonnegative() })
    .optional(),
  /**
   * Where this cell's server ran, when it differs from the run's placement or a rule chose it
   * (a parallel scenario's server lent every CPU: bench/os/placement.ts). Absent = `config`'s.
   */
  placement: z
    .object({
      serverCpus: z.string().nullable(),
      clientCpus: z.string().nullable(),
      serverThreads: z.number().int().positive(),
      rule: z.enum(['default', 'every-cpu']),
      note: z.string(),
    })
    .optional(),
  status: CellStatus,
  /** Why the cell failed or was skipped. */
  error: z.string().optional(),
  /** The pre-timing check of the server's answers against the scenario's expectations. */
  validation: z.object({ ok: z.boolean(), checked: z.number().int().nonnegative(), failures: z.array(z.string()) }),
  warmup: Trial.nullable(),
  trials: z.array(Trial),
  summary: z
    .object({
      requestsPerSec: Stat,
      bytesPerSec: Stat,
      p50Us: Stat,
      p90Us: Stat,
      p99Us: Stat,
      p999Us: Stat,
      maxUs: Stat,
      /** Server CPU seconds per 1,000 requests. */
      cpuPerKiloReq: Stat,
      serverPeakRssBytes: Stat,
      /** Database server CPU seconds per 1,000 requests, its peak RSS, the connections held (database scenarios). */
      dbCpuPerKiloReq: Stat.optional(),
      dbPeakRssBytes: Stat.optional(),
      dbConnections: Stat.optional(),
      loadgenCpuShare: Stat,
      errors: z.number().int().nonnegative(),
      timeouts: z.number().int().nonnegative(),
      non2xx: z.number().int().nonnegative(),
      /** Per-group p99 medians where the scenario has groups. */
      groupP99Us: z.record(z.string(), Stat).optional(),
      /**
       * Counted, not timed (`--measure instructions`): user-space instructions per request under
       * Valgrind, over the cell's measured blocks (median, min, max, spread); how in `counted`.
       */
      instructionsPerRequest: Stat.optional(),
    })
    .nullable(),
  /** How the counted figure was obtained: the blocks behind `summary.instructionsPerRequest`, and the tools. */
  counted: z
    .object({
      /** Instructions per request of each measured block, in order. */
      blocks: z.array(z.number().nonnegative()),
      blockRequests: z.number().int().positive(),
      warmupRequests: z.number().int().nonnegative(),
      /** How the steady state and timer work are kept out of the figure, in words. */
      method: z.string(),
      valgrind: z.string(),
      valgrindFlags: z.array(z.string()),
      node: z.string(),
      /** Test-only injections the server ran with (e.g. SERVER_MODELS_INJECT_LOOP=N), recorded like any cost. */
      injected: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  flags: z.object({
    /** The load generator, not the server, limited this cell: read its figures as a lower bound. */
    clientBound: z.boolean(),
    /** Errors, timeouts or non-2xx answers happened under load. */
    errored: z.boolean(),
    /** Some requests were left waiting far longer than the answered ones (starved connections). */
    starved: z.boolean().optional(),
    /** Other processes used a large share of the machine's CPUs during the trials (Trial.otherCpuSec). */
    busy: z.boolean().optional(),
    /** Plain-words reasons behind the flags. */
    notes: z.array(z.string()),
  }),
});
export type Cell = z.infer<typeof Cell>;

export const Machine = z.object({
  cpuModel: z.string(),
  cores: z.number().int().positive(),
  memoryBytes: z.number().nonnegative(),
  os: z.string(),
  kernel: z.string(),
  node: z.string(),
  hostname: z.string().optional(),
});
export type Machine = z.infer<typeof Machine>;

export const Scenario = z.object({
  name: z.string(),
  description: z.string(),
  /** Every cost the scenario adds, as a named parameter (backend wait ms, cpu units, body bytes, ...). */
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])),
});
export type Scenario = z.infer<typeof Scenario>;

export const Config = z.object({
  profile: z.string(),
  models: z.array(z.string()),
  scenarios: z.array(z.string()),
  connections: z.array(z.number().int().positive()),
  durationSec: z.number().positive(),
  warmupSec: z.number().nonnegative(),
  /** Trials per cell in each round. */
  trials: z.number().int().positive(),
  /**
   * How many times the whole matrix ran, one round after the other, each cell's
   * server restarted every round (`--rounds`); a cell has rounds × trials trials.
   * Absent: one round.
   */
  rounds: z.number().int().positive().optional(),
  /** The run's load generator; a cell whose matrix entry asks for another records its own (Cell.loadgen). */
  loadgen: z.string(),
  /** CPU lists given to taskset, or null when unpinned. */
  serverCpus: z.string().nullable(),
  clientCpus: z.string().nullable(),
  /** Anything else a run was configured with (open-loop rate, threads, ...). */
  extra: z.record(z.string(), z.unknown()).optional(),
  /**
   * Where the traffic went: absent for loopback (127.0.0.1); `netns-veth` when
   * the server and the load generator ran in two namespaces of the run's own,
   * joined by a veth with netem delay RTT/2 each way (`--rtt`, bench/netns.ts).
   */
  network: z
    .object({
      mode: z.literal('netns-veth'),
      rttMs: z.number().nonnegative(),
      oneWayDelayMs: z.number().nonnegative(),
      serverNamespace: z.string(),
      clientNamespace: z.string(),
      serverAddress: z.string(),
      clientAddress: z.string(),
    })
    .optional(),
});
export type Config = z.infer<typeof Config>;

/** The load generator's ceiling against a trivial canned-response server, measured at the start of the run. */
export const Calibration = z.object({
  loadgen: z.string(),
  connections: z.number().int().positive(),
  requestsPerSec: z.number().nonnegative(),
  loadgenCpuShare: z.number().nonnegative(),
  durationSec: z.number().positive(),
  /** Requests in flight per connection during calibration (a pipelined scenario is judged against a pipelined ceiling). */
  pipelining: z.number().int().positive().optional(),
  /** The round it opened, in a run of several rounds; absent in a run of one. */
  round: z.number().int().positive().optional(),
});
export type Calibration = z.infer<typeof Calibration>;

export const Results = z.object({
  schema: z.literal(RESULTS_SCHEMA),
  version: z.literal(RESULTS_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  /** True once every planned cell ran; false while running or after an interruption. */
  complete: z.boolean(),
  machine: Machine,
  git: z.object({ commit: z.string().nullable(), dirty: z.boolean(), commitTime: z.string().nullable().optional() }),
  config: Config,
  calibration: z.array(Calibration),
  scenarios: z.array(Scenario),
  cells: z.array(Cell),
});
export type Results = z.infer<typeof Results>;

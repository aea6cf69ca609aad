/**
 * Profiles: named run matrices, and the one defaults object every run starts
 * from. Command-line flags override any part of a profile.
 */
import { defaultThresholds } from '../run/verdicts.ts';
import { scenarioNames } from './scenarios.ts';

/** One scenario of a designed matrix: the levels it runs at and, if not every model, which ones. */
export interface MatrixEntry {
  scenario: string;
  connections: number[];
  models?: string[];
  /**
   * `models` is a sample for the default run, kept small for its time: a run that names the
   * scenario (`--scenarios`) runs it on every model.
   */
  sample?: true;
  /**
   * The load generator these cells need, where the run's own would be the limit (its name in
   * bench/loadgen/registry.ts). Used when it is installed and the run was given neither `--loadgen`
   * nor `--rate`; otherwise the cells run with the run's generator, and the run says so.
   */
  loadgen?: string;
}

/** The matrix and timings of a run. */
export interface Profile {
  description: string;
  /** Model names, or 'all' for every available model and peer in the registry. */
  models: 'all' | string[];
  scenarios: string[];
  connections: number[];
  durationSec: number;
  warmupSec: number;
  trials: number;
  /**
   * How many times the whole matrix runs, one round after another (default 1).
   * Every round restarts each cell's server and warms it up again, so a cell's
   * trials are spread over the run and over fresh processes: their spread then
   * includes what changes between server starts and over minutes, which
   * consecutive trials of one process hide.
   */
  rounds?: number;
  /**
   * A designed matrix instead of the cross product of `scenarios` and `connections`: each scenario at
   * the levels (and with the models) what it teaches needs. `scenarios` and `connections` then list
   * what the matrix holds.
   */
  matrix?: MatrixEntry[];
  /**
   * `instructions`: besides the timed trials, count each cell's instructions per request under
   * Valgrind (bench/run/counted-cell.ts), once per model and scenario, at its lowest connection level.
   */
  measure?: 'time' | 'instructions';
  /** With `measure: 'instructions'`, only these models and scenarios are counted (default: every countable one). */
  counted?: { models: string[]; scenarios: string[] };
}

/** Everything a run is configured with that is not the matrix. */
export const benchDefaults = {
  profile: 'quick',
  loadgen: 'autocannon',
  /** A request unanswered this long counts as a timeout (wrk's default too). */
  timeoutSec: 2,
  /** A server that has not printed its ready line by then has failed to start. */
  readyTimeoutMs: 20_000,
  /** SIGTERM -> SIGKILL grace for a server: longer than its own drain timeout (5 s). */
  stopGraceMs: 8_000,
  /** The pre-timing check of a server's answers. */
  validationTimeoutMs: 10_000,
  /** Calibration: the load generator against the canned-response server. */
  calibration: { durationSec: 2, warmupSec: 0.5, connections: 32 },
  thresholds: defaultThresholds,
  outDir: 'results',
  /** Resource sampling period (peak RSS). */
  sampleIntervalMs: 100,
  /**
   * Rough per-cell cost outside the timed windows (server start and stop, checks), for the wall-time plan:
   * 0.60 s measured over the quick profile's 123 cells (2026-12-01, quiet), once servers stopped loading
   * packages at start that they do not use (0.9 s before).
   */
  cellOverheadSec: 0.6,
};

/** Our models (the peers are not ours to change). */
const ourModels = ['blocking', 'process-per-request', 'event-loop', 'worker-pool', 'prefork'];

export const profiles: Record<string, Profile> = {
  smoke: {
    description: 'Every model, two scenarios, one concurrency level: does everything run? (used by the tests)',
    models: 'all',
    scenarios: ['hello', 'mixed'],
    connections: [4],
    durationSec: 1,
    warmupSec: 0.3,
    trials: 1,
  },
  quick: {
    description:
      'What each scenario teaches and the cells every finding needs, three rounds of one 1 s trial (each round a fresh server), in about five minutes on two cores (the default)',
    models: 'all',
    scenarios: ['hello', 'io', 'close', 'cpu', 'mixed', 'static-small', 'slow-clients', 'db', 'fortunes'],
    connections: [1, 2, 8, 16, 64, 256],
    durationSec: 1,
    warmupSec: 0.3,
    trials: 1,
    // Rounds, not consecutive trials: a cell's three trials come from three server starts spread over
    // the run, so their spread shows the minute-to-minute noise a single trial hides.
    rounds: 3,
    matrix: [
      // The cost of each model on the cheapest request, alone and with many connections (every model).
      // wrk: autocannon on its one CPU tops out near 20k req/s here, under what the event loop answers at 64.
      { scenario: 'hello', connections: [1, 64], loadgen: 'wrk' },
      // Finding 1: a 20 ms backend wait at 64 connections.
      { scenario: 'io', connections: [64], models: [...ourModels, 'node-http'] },
      // Finding 2: the blocking model's accept queue (a connection per request, so every one is served in turn)...
      // Where queueing dominates (at 4 a p99 of 4.6 ms against a mean of 0.9 ms: tails of the handshakes).
      // wrk for every close cell: autocannon's own cost per new connection exceeds a server's (at 64
      // connections its CPU was the limit of every model alike), and would hide what finding 6 measures.
      { scenario: 'close', connections: [16, 64, 256], models: ['blocking'], loadgen: 'wrk' },
      // ...and finding 6: connection setup beside hello at 64 connections.
      { scenario: 'close', connections: [64], models: ['event-loop', 'worker-pool'], loadgen: 'wrk' },
      // Findings 3 and 4: parallelism, on every CPU when the placement rule allows (bench/os/placement.ts).
      { scenario: 'cpu', connections: [8], models: ['event-loop', 'worker-pool', 'prefork'] },
      // At 2 a pool has a CPU for each request in flight (finding 4's condition); at 8 the expensive ones fill
      // them (the event loop and the pool: prefork at 8 would repeat the pool's lesson, and the run must
      // stay within five minutes).
      { scenario: 'mixed', connections: [2], models: ['prefork'] },
      { scenario: 'mixed', connections: [2, 8], models: ['event-loop', 'worker-pool'] },
      // The file system per request, against nginx.
      { scenario: 'static-small', connections: [16], models: ['event-loop', 'prefork', 'node-http', 'nginx'] },
      // Slow clients hold the blocking model's one thread, not an event loop's (prefork's loops answer as the
      // event loop does: left out for the time limit).
      { scenario: 'slow-clients', connections: [8], models: ['blocking', 'event-loop', 'worker-pool'] },
      // Finding 7 and the data tier (the run starts its database for these only): a connection per request
      // against a pool, and a query with a template; three cells, ~20 s of the plan. At 2 connections a
      // process-per-request child (a Node start, the pg client, a connection: 0.15-0.4 s of CPU) answers
      // within the 2 s timeout; at 16 on one CPU most time out and the database serves children too late.
      { scenario: 'db', connections: [2], models: ['process-per-request', 'event-loop'], sample: true },
      { scenario: 'fortunes', connections: [16], models: ['event-loop'], sample: true },
    ],
  },
  findings: {
    description:
      'The cells the seven findings need (io, cpu, mixed, close, hello, db at 1, 16, 64 connections) for the four models; add --server-cpus 0-1 --client-cpus 0-1 for findings 3 and 4',
    models: ['blocking', 'process-per-request', 'event-loop', 'worker-pool'],
    scenarios: ['hello', 'io', 'cpu', 'mixed', 'close', 'db'],
    connections: [1, 16, 64],
    durationSec: 2,
    warmupSec: 0.5,
    trials: 1,
  },
  full: {
    description: 'Every model and scenario over a connection sweep, three trials of ten seconds: figures to publish',
    models: 'all',
    scenarios: [...scenarioNames],
    connections: [1, 4, 16, 64, 256],
    durationSec: 10,
    warmupSec: 3,
    trials: 3,
  },
  ci: {
    description:
      'Our five models in four scenarios, five interleaved rounds of one 1.5 s trial: a regression signal in about five minutes',
    // Measured (README, CI): three consecutive trials of one server process agreed with each other far
    // better than with a second run, so nearly every A/A comparison cried regression. Rounds spread a
    // cell's trials over the run and over fresh server processes, so their spread is the noise a
    // second run will see. The peers are left out: a change to this repository does not move them.
    models: ['blocking', 'process-per-request', 'event-loop', 'worker-pool', 'prefork'],
    scenarios: ['hello', 'static-small', 'io', 'mixed'],
    connections: [8],
    durationSec: 1.5,
    warmupSec: 0.5,
    trials: 1,
    rounds: 5,
    // The counted figure decides in compare (timed figures are the second view): instructions per
    // hello request, reproducible to ~1% whatever the machine does. process-per-request is left out:
    // a whole Node start per request counts to within a few % only (docs/counted.md).
    measure: 'instructions',
    counted: { models: ['blocking', 'event-loop', 'worker-pool', 'prefork'], scenarios: ['hello'] },
  },
};

/** Planned wall time of a run in seconds: what the progress display's first ETA is based on. */
export function plannedSeconds(
  cells: number,
  p: Pick<Profile, 'durationSec' | 'warmupSec' | 'trials' | 'rounds'>,
  calibrations: number,
): number {
  const c = benchDefaults.calibration;
  const rounds = p.rounds ?? 1;
  const perCell =
    benchDefaults.cellOverheadSec + (p.warmupSec > 0 ? p.warmupSec + 0.1 : 0) + p.trials * (p.durationSec + 0.1);
  return rounds * (cells * perCell + calibrations * (c.durationSec + c.warmupSec + 0.3)) + 2;
}

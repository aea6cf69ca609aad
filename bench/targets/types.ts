/**
 * A target is a server under test, however it comes to be: one of our models
 * started through the serve command, the calibration server, and later any
 * command or already-running URL. The harness only starts it, loads its URL,
 * samples its process tree (when it has one) and stops it.
 */
import type { Runtime } from '../os/runtime.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';

/** A server the harness can start and stop. */
export interface Target {
  /** The name shown in results (`event-loop`, `node-http`, ...). */
  readonly name: string;
  /** `model` for ours, `peer` for reference servers. */
  readonly kind: 'model' | 'peer';
  /**
   * A server of the user's (--target-cmd, --target-url): a built-in scenario checks only its status
   * and framing, since it does not serve our application's bodies (bench/check/validate.ts).
   */
  readonly foreign?: boolean;
  /**
   * The scenarios it can serve, when not all (nginx serves the site's static
   * files, not our application's routes): other cells are not planned, and `why`
   * says so once in the run's output.
   */
  readonly scope?: { serves(scenario: ScenarioDef): boolean; why: string };
  /** The Node version that serves it (`v24.21.0`), for our models and the node-http peer. */
  readonly node?: string;
  /** The Node binary that serves, when it is not the harness's own (counted cells run it too). */
  readonly nodePath?: string;
  start(): Promise<RunningTarget>;
}

/** A started target. */
export interface RunningTarget {
  /** `http://HOST:PORT` */
  readonly url: string;
  /** Root of the process tree to sample, or null for a server the harness did not start. */
  readonly pid: number | null;
  /** Stop it and report whether it left anything behind. */
  stop(): Promise<StopReport>;
}

/** How a target's stop went. */
export interface StopReport {
  /** Exit code of the root process, or null when it was killed by a signal (or not ours). */
  exitCode: number | null;
  signal: string | null;
  /** It did not exit within the grace period after SIGTERM and was SIGKILLed. */
  forced: boolean;
  /** PIDs of processes it started that were still alive after it exited (then killed). */
  leftovers: number[];
}

/** Where and how a spawned target runs. */
export interface TargetLaunch {
  /** CPU list for taskset, or null for unpinned. */
  cpus: string | null;
  readyTimeoutMs: number;
  stopGraceMs: number;
  onStart?: (pid: number) => void;
  onGone?: (pid: number) => void;
  /** Address the server listens on (default 127.0.0.1); the server namespace's address under `--rtt`. */
  host?: string;
  /** Network namespace to start the server in (`--rtt`, bench/netns.ts), or undefined for the harness's own. */
  netns?: string;
  /** The Node that runs our models and the node-http peer (`--node`); default the harness's own. */
  node?: Runtime;
}

/** A one-line description of a stop that did not go cleanly, or undefined when it did. */
export function stopProblem(report: StopReport): string | undefined {
  if (report.leftovers.length > 0)
    return `left ${report.leftovers.length} process(es) running after it exited (PIDs ${report.leftovers.join(', ')}; killed)`;
  if (report.forced) return 'did not exit within the grace period after SIGTERM (killed)';
  if (report.signal !== null) return `exited on ${report.signal} instead of draining`;
  if (report.exitCode !== 0 && report.exitCode !== null) return `exited with code ${report.exitCode} on SIGTERM`;
  return undefined;
}

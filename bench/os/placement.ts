/**
 * Where the server and the load generator run. On two or more cores they get
 * separate CPUs by default (taskset), so neither steals the other's time; the
 * choice is recorded with the results. On loopback the kernel still charges
 * much of the TCP work to the sending side, so neither side's CPU is pure.
 */
import { availableParallelism } from 'node:os';
import type { Calibration } from '../results/schema.ts';
import { UsageError } from '../plan/options.ts';

/** The CPUs each side is pinned to (null = unpinned) and how that was decided. */
export interface Placement {
  serverCpus: string | null;
  clientCpus: string | null;
  /** How many CPUs the server may use: the pool size given to models that have one. */
  serverCpuCount: number;
  note: string;
}

/** Expand a taskset CPU list (`0-2,5`) into CPU numbers. */
export function expandCpuList(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map(Number) as [number, number | undefined];
    return to === undefined ? [from] : Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** Decide placement from the flags (undefined = default, null = unpinned) and the machine. */
export function place(
  serverFlag: string | null | undefined,
  clientFlag: string | null | undefined,
  cores = availableParallelism(),
): Placement {
  for (const [flag, list] of [
    ['--server-cpus', serverFlag],
    ['--client-cpus', clientFlag],
  ] as const) {
    const bad = typeof list === 'string' ? expandCpuList(list).find((cpu) => cpu >= cores) : undefined;
    if (bad !== undefined) throw new UsageError(`${flag} names CPU ${bad}, but this machine has CPUs 0-${cores - 1}`);
  }
  const all = Array.from({ length: cores }, (_, i) => i);
  if (cores < 2 && serverFlag === undefined && clientFlag === undefined) {
    return {
      serverCpus: null,
      clientCpus: null,
      serverCpuCount: cores,
      note: 'one CPU: server and load generator share it (unpinned); read every figure as a lower bound',
    };
  }
  const half = Math.max(1, Math.floor(cores / 2));
  const serverCpus = serverFlag === undefined ? compact(all.slice(0, half)) : serverFlag;
  const serverSet = new Set(serverCpus === null ? [] : expandCpuList(serverCpus));
  const rest = all.filter((cpu) => !serverSet.has(cpu));
  const clientCpus =
    clientFlag === undefined ? (serverCpus === null || rest.length === 0 ? null : compact(rest)) : clientFlag;
  const overlap =
    serverCpus !== null && clientCpus !== null && expandCpuList(clientCpus).some((cpu) => serverSet.has(cpu));
  const note =
    serverCpus === null && clientCpus === null
      ? 'unpinned: server and load generator compete for every CPU'
      : `server on CPU ${serverCpus ?? 'any'}, load generator on CPU ${clientCpus ?? 'any'}${overlap ? ' (overlapping: they compete)' : ''}`;
  return { serverCpus, clientCpus, serverCpuCount: serverCpus === null ? cores : serverSet.size, note };
}

function compact(cpus: number[]): string {
  return cpus.length > 1 && cpus.at(-1)! - cpus[0]! === cpus.length - 1 ? `${cpus[0]}-${cpus.at(-1)}` : cpus.join(',');
}

/**
 * The most of one core the load generator may take from the server's CPUs when they share them.
 * A quarter: at the scenario's best rate the server keeps at least 3/4 of the CPU it is lent.
 */
export const maxSharedLoadgenShare = 0.25;

/** Where a cell's server runs, as its results record it. */
export interface CellPlacement {
  serverCpus: string | null;
  clientCpus: string | null;
  serverThreads: number;
  /** `default`: the run's placement; `every-cpu`: a parallel scenario's server lent every CPU (see spreadDecision). */
  rule: 'default' | 'every-cpu';
  note: string;
}

/**
 * The placement rule for a scenario whose point is parallelism (cpu, mixed), on a machine where the
 * run's placement gives the server fewer CPUs than the machine has: measured on one CPU, a pool
 * model cannot show what it is for. The server gets every CPU (and the load generator shares them)
 * when the load generator's cost at the scenario's best rate is small: its calibrated CPU per
 * request (share of a core / requests per second, at calibration) times the rate every CPU could
 * serve (CPUs / the scenario's server CPU per request) is at most `maxSharedLoadgenShare` of one
 * core. Explicit --server-cpus or --client-cpus always win: the rule applies only to the default.
 */
export function spreadDecision(
  serverCpuMsPerRequest: number,
  calibration: Pick<Calibration, 'requestsPerSec' | 'loadgenCpuShare'> | undefined,
  base: Placement,
  cores: number,
): { spread: boolean; note: string } {
  if (cores < 2) return { spread: false, note: 'one CPU in all: parallelism is not measurable here' };
  if (base.serverCpuCount >= cores) return { spread: false, note: base.note };
  if (!calibration || calibration.requestsPerSec <= 0)
    return { spread: false, note: `${base.note} (no calibration to judge the load generator's share by)` };
  const loadgenCpuPerRequest = calibration.loadgenCpuShare / calibration.requestsPerSec;
  const bestRate = cores / (serverCpuMsPerRequest / 1000);
  const share = bestRate * loadgenCpuPerRequest;
  const pct = `${Math.round(share * 100)}%`;
  return share <= maxSharedLoadgenShare
    ? {
        spread: true,
        note: `server on every CPU (0-${cores - 1}), shared with the load generator: at this scenario's best rate it would take ~${pct} of one core (rule: at most ${maxSharedLoadgenShare * 100}%)`,
      }
    : {
        spread: false,
        note: `${base.note}: sharing the CPUs would cost the load generator ~${pct} of a core (over ${maxSharedLoadgenShare * 100}%), so the server keeps its own; a pool model's parallelism is understated here`,
      };
}

/** Every CPU of the machine for the server, the load generator where it was. */
export function everyCpu(base: Placement, cores: number): Placement {
  return {
    serverCpus: compact(Array.from({ length: cores }, (_, i) => i)),
    clientCpus: base.clientCpus,
    serverCpuCount: cores,
    note: 'server on every CPU, shared with the load generator',
  };
}

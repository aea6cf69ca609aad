/**
 * Where the server and the load generator run. On two or more cores they get
 * separate CPUs by default (taskset), so neither steals the other's time; the
 * choice is recorded with the results. On loopback the kernel still charges
 * much of the TCP work to the sending side, so neither side's CPU is pure.
 */
import { availableParallelism } from 'node:os';
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

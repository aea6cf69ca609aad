/**
 * Reading Linux's /proc: a process's CPU times, parent, process group and
 * resident memory. CPU times there are in clock ticks (USER_HZ, 100 on Linux)
 * and cover every thread of the process.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** USER_HZ: the unit of /proc CPU times. It is 100 on every Linux ABI Node runs on. */
export const clockTicksPerSec = 100;

/** The fields of /proc/<pid>/stat the harness uses; CPU times in seconds. */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  /** Exited but not yet waited for by its parent: dead, though its CPU time is still listed here. */
  zombie: boolean;
  /** User + system time of the process (all its threads). */
  cpuSec: number;
  /** User + system time of its children that have exited and been waited for. */
  childrenCpuSec: number;
}

/** /proc/<pid>/stat, or null when the process is gone. */
export function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // The command name (field 2) is in parentheses and may itself hold spaces or ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const num = (field: number): number => Number(fields[field - 3]);
  return {
    pid,
    ppid: num(4),
    pgrp: num(5),
    zombie: fields[0] === 'Z',
    cpuSec: (num(14) + num(15)) / clockTicksPerSec,
    childrenCpuSec: (num(16) + num(17)) / clockTicksPerSec,
  };
}

/**
 * CPU seconds every CPU of the machine has been busy since boot (/proc/stat's first line: user,
 * nice, system, irq, softirq and steal; not idle or iowait), or null where there is no /proc/stat.
 */
export function machineBusyCpuSec(): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/stat', 'utf8');
  } catch {
    return null;
  }
  const [user, nice, system, , , irq, softirq, steal] = text
    .slice(0, text.indexOf('\n'))
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = [user, nice, system, irq, softirq, steal].reduce((sum: number, t) => sum + (t ?? 0), 0);
  return Number.isFinite(busy) ? busy / clockTicksPerSec : null;
}

/** VmRSS of a process in bytes, or 0 when it is gone (or a zombie). */
export function readRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The processes of a tree that are still running (zombies are dead, only not yet reaped). */
export function liveProcesses(tree: readonly ProcStat[]): ProcStat[] {
  return tree.filter((s) => !s.zombie);
}

/** Every process visible in /proc. */
export function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/**
 * The process tree under `root` (root included): its descendants by parent PID,
 * plus anything still in its process group (a child whose parent has already
 * gone is re-parented, but keeps the group).
 */
export function processTree(root: number, stats: readonly ProcStat[] = allStats()): ProcStat[] {
  const byParent = new Map<number, ProcStat[]>();
  for (const s of stats) byParent.set(s.ppid, [...(byParent.get(s.ppid) ?? []), s]);
  const found = new Map<number, ProcStat>();
  const rootStat = stats.find((s) => s.pid === root);
  const queue = rootStat ? [rootStat] : [];
  for (const s of stats) if (s.pgrp === root) queue.push(s);
  while (queue.length > 0) {
    const s = queue.pop() as ProcStat;
    if (found.has(s.pid)) continue;
    found.set(s.pid, s);
    queue.push(...(byParent.get(s.pid) ?? []));
  }
  return [...found.values()];
}

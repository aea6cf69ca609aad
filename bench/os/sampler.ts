/**
 * Resource sampling of a server's process tree during a trial: CPU time as the
 * difference over the trial, peak resident memory from samples every ~100 ms.
 *
 * CPU of the tree = the CPU of every live process in it, plus the root's
 * `cutime + cstime`: children that exited and were waited for (the
 * process-per-request model's children) move their time there, so a child born
 * and gone between two samples is still counted.
 */
import { allStats, processTree, readRssBytes, readStat } from './procfs.ts';

/** What a trial's sampling measured. */
export interface TreeUsage {
  cpuSec: number;
  peakRssBytes: number;
  /** How many samples were taken (peak RSS is only as good as this). */
  samples: number;
}

/** CPU seconds consumed so far by the tree under `root` (live processes and waited-for children). */
export function treeCpuSec(root: number): number {
  const tree = processTree(root);
  const rootStat = tree.find((s) => s.pid === root) ?? readStat(root);
  const live = tree.reduce((sum, s) => sum + s.cpuSec, 0);
  return live + (rootStat?.childrenCpuSec ?? 0);
}

/** Resident memory of the whole tree under `root` now. */
export function treeRssBytes(root: number): number {
  return processTree(root, allStats()).reduce((sum, s) => sum + readRssBytes(s.pid), 0);
}

/** Samples one process tree from `start()` to `stop()`. */
export class TreeSampler {
  private cpuAtStart = 0;
  private peakRss = 0;
  private samples = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly root: number,
    private readonly intervalMs = 100,
  ) {}

  start(): void {
    this.cpuAtStart = treeCpuSec(this.root);
    this.peakRss = 0;
    this.samples = 0;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): TreeUsage {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    return {
      cpuSec: Math.max(0, treeCpuSec(this.root) - this.cpuAtStart),
      peakRssBytes: this.peakRss,
      samples: this.samples,
    };
  }

  private sample(): void {
    this.samples++;
    this.peakRss = Math.max(this.peakRss, treeRssBytes(this.root));
  }
}

/** This process's waited-for children's CPU seconds: how a short-lived child's (wrk's) CPU is read once it exits. */
export function ownChildrenCpuSec(): number {
  return readStat(process.pid)?.childrenCpuSec ?? 0;
}

/** What a run records about where it ran: the machine and the code's git state. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import type { Machine, Results } from '../results/schema.ts';
import { repoRoot } from './paths.ts';

export function describeMachine(): Machine {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    // All the machine's CPUs, not the ones this process is pinned to.
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    os: `${os.type()} ${os.arch()}`,
    kernel: os.release(),
    node: process.version,
    hostname: os.hostname(),
  };
}

function git(args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

/** The commit the code is at, whether the tree differs from it, and the commit's time. */
export function describeGit(): Results['git'] {
  const commit = git(['rev-parse', 'HEAD']);
  // Untracked result files are not code: only tracked changes make the tree dirty.
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  const time = git(['show', '-s', '--format=%cI', 'HEAD']);
  return {
    commit,
    dirty: status === null ? true : status.length > 0,
    commitTime: time ? new Date(time).toISOString() : null,
  };
}

/**
 * Temporary folders that name the process they belong to, so that what a
 * killed process left behind can be told from what a live one still uses.
 *
 * A process stopped by SIGKILL runs no clean-up: its upload folder (or a
 * harness's nginx or wrk folder) stays in the temporary directory. Each folder
 * made here is `server-models-<kind>-<pid>-<random>`; making one first removes
 * the folders of the same kind whose process is gone. A folder whose PID is
 * alive is left alone, even if that PID now belongs to another program: the
 * sweep errs on the side of keeping.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh folder for this process, after removing those of the same kind left by dead processes. */
export function makeScratchDir(kind: string, parent = tmpdir()): string {
  removeOrphans(kind, parent);
  return mkdtempSync(join(parent, `server-models-${kind}-${process.pid}-`));
}

/** Remove the `kind` folders under `parent` whose owning process no longer runs; returns their names. */
export function removeOrphans(kind: string, parent = tmpdir()): string[] {
  const pattern = new RegExp(`^server-models-${kind}-(\\d+)-[^-]+$`);
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

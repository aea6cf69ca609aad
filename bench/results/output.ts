/**
 * Where the commands write: every output path is checked before any work starts, folders are made
 * one level at a time, and a write is atomic (write-file-atomic: a temporary sibling, fsync, then
 * rename) and leaves no temporary file when it fails. Every failure is an OutputPathError whose message is one line in
 * plain words, never a Node error code.
 *
 * Folders are made level by level, not with `mkdirSync(…, { recursive: true })`: under /proc that
 * call never returns (it retries ENOENT forever), and a run must fail at once instead.
 */
import { accessSync, constants, existsSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { sync as writeFileAtomicSync } from 'write-file-atomic';

/** An output path that cannot be written; `message` is one line for the terminal. */
export class OutputPathError extends Error {
  override name = 'OutputPathError';
}

/** Kernel file systems that hold no files of ours (statfs magic numbers). */
const virtualFileSystems = new Map<number, string>([
  [0x9fa0, 'the /proc file system'],
  [0x62656572, 'the /sys file system'],
  [0x1cd1, 'a devpts file system'],
]);

const reasons: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'over the disk quota',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  ENAMETOOLONG: 'the name is too long',
  ENOENT: 'a part of the path does not exist and cannot be made there',
};

/** Plain words for a file system error. */
export function reasonOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return (code && reasons[code]) ?? (error as Error).message.split('\n')[0] ?? 'unknown error';
}

/** The nearest ancestor of `path` (itself included) that exists. */
function existingAncestor(path: string): string {
  let at = resolve(path);
  while (!existsSync(at)) {
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  return at;
}

/** Why `dir` cannot be or become a folder this process writes into, or undefined when it can. */
function dirProblem(dir: string): string | undefined {
  const target = resolve(dir);
  const at = existingAncestor(target);
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(at);
  } catch (error) {
    return reasonOf(error);
  }
  if (!stats.isDirectory()) return at === target ? 'it is a file, not a folder' : `${at} is a file, not a folder`;
  const fsName = virtualFileSystems.get(Number(statfsSync(at).type));
  if (fsName) return `${at} is on ${fsName}, which holds no files`;
  try {
    accessSync(at, constants.W_OK);
  } catch (error) {
    return `${at} is not writable (${reasonOf(error)})`;
  }
  return undefined;
}

/**
 * Check, without creating anything, that `dir` is or can become a folder this process may write
 * into: its nearest existing ancestor must be a writable folder on a real file system.
 */
export function checkOutputDir(dir: string, what = 'output folder'): void {
  const problem = dirProblem(dir);
  if (problem) throw new OutputPathError(`cannot use ${what} ${dir}: ${problem}`);
}

/** Check that `path` can be written as a file: not a folder, and its folder usable (see checkOutputDir). */
export function checkOutputFile(path: string, what = 'output file'): void {
  if (existsSync(path) && statSync(path).isDirectory())
    throw new OutputPathError(`cannot write ${what} ${path}: it is a folder; give a file name`);
  const problem = dirProblem(dirname(resolve(path)));
  if (problem) throw new OutputPathError(`cannot write ${what} ${path}: ${problem}`);
}

/** Make `dir` and any missing parents, one level at a time; one line on failure. */
export function ensureDir(dir: string): void {
  const target = resolve(dir);
  const missing: string[] = [];
  for (let at = target; !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statSync(level).isDirectory()) continue;
      throw new OutputPathError(`cannot create folder ${level}: ${reasonOf(error)}`);
    }
  }
  if (!statSync(target).isDirectory()) throw new OutputPathError(`cannot use ${dir}: it is a file, not a folder`);
}

/**
 * Write a file atomically with write-file-atomic: a temporary sibling, flushed to disk (fsync),
 * then renamed over the target, so a crash leaves the old file or the new one, never a torn one;
 * the temporary file is removed when the write fails.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  ensureDir(dirname(path));
  try {
    writeFileAtomicSync(
      path,
      typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength),
    );
  } catch (error) {
    throw new OutputPathError(`cannot write ${path}: ${reasonOf(error)}`);
  }
}

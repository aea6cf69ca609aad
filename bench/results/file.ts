/**
 * Reading and writing results files. Writes are atomic (a temporary file in the
 * same folder, then rename), so a crash never leaves half a file; reads give a
 * one-line error that names what is wrong.
 */
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { Results, RESULTS_SCHEMA, RESULTS_VERSION } from './schema.ts';

/** A results file that cannot be used; `message` is one line for the terminal. */
export class ResultsFileError extends Error {
  override name = 'ResultsFileError';
}

/** Validate and write atomically. */
export function writeResults(path: string, results: Results): void {
  const checked = Results.safeParse(results);
  if (!checked.success)
    throw new ResultsFileError(`refusing to write ${path}: ${describeIssue(checked.error.issues[0])}`);
  writeFileAtomic(path, `${JSON.stringify(checked.data, null, 1)}\n`);
}

/** Write any file atomically: a temporary sibling, then rename over the target. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Read and validate a results file, or throw a ResultsFileError naming the problem. */
export function readResults(path: string): Results {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ResultsFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(`${path} is not JSON: ${(error as Error).message}`);
  }
  return parseResults(json, path);
}

/** Validate parsed JSON as results; `where` names the source in errors. */
export function parseResults(json: unknown, where: string): Results {
  const head = json as { schema?: unknown; version?: unknown } | null;
  if (typeof head !== 'object' || head === null || head.schema !== RESULTS_SCHEMA) {
    throw new ResultsFileError(
      `${where} is not a server-models results file (schema is ${JSON.stringify(head?.schema)}, expected "${RESULTS_SCHEMA}")`,
    );
  }
  if (head.version !== RESULTS_VERSION) {
    throw new ResultsFileError(
      `${where} has results version ${JSON.stringify(head.version)}; this build reads version ${RESULTS_VERSION}`,
    );
  }
  const checked = Results.safeParse(json);
  if (!checked.success) throw new ResultsFileError(`${where} is not valid: ${describeIssue(checked.error.issues[0])}`);
  return checked.data;
}

function describeIssue(issue: { path: PropertyKey[]; message: string } | undefined): string {
  if (!issue) return 'unknown problem';
  const at = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
  return `${at}: ${issue.message}`;
}

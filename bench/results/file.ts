/**
 * Reading and writing results files. Writes are atomic (a temporary file in the
 * same folder, then rename), so a crash never leaves half a file; reads give a
 * one-line error that names what is wrong.
 */
import { readFileSync } from 'node:fs';
import { reasonOf, writeFileAtomic } from './output.ts';
import { Results, RESULTS_SCHEMA, RESULTS_VERSION } from './schema.ts';

export { writeFileAtomic };

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

/** Read and validate a results file, or throw a ResultsFileError naming the problem. */
export function readResults(path: string): Results {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ResultsFileError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : reasonOf(error)}`);
  }
  // An editor's byte-order mark is not part of the JSON.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    // JSON has no Infinity or NaN, but a number too large for a double (1e999) parses as Infinity.
    json = JSON.parse(text, (key, value) => {
      if (typeof value === 'number' && !Number.isFinite(value))
        throw new ResultsFileError(`${path} is not valid: "${key}" is a number too large to be finite`);
      return value;
    });
  } catch (error) {
    if (error instanceof ResultsFileError) throw error;
    throw new ResultsFileError(`${path} is not JSON: ${(error as Error).message.split('\n')[0]}`);
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

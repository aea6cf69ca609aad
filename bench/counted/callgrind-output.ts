/**
 * Reading callgrind's output: a dump file's header names its events
 * (`events: Ir`) and carries the dump's total (`totals:`, or `summary:` in
 * older files) in the same order. Only the totals are read here; the
 * function-level lines are for callgrind_annotate.
 */
import { readFileSync } from 'node:fs';

/** The header of one dump. */
export interface CallgrindDump {
  pid: number | undefined;
  /** The dump's number within its process (`part:`); 0 or undefined for the file written at exit. */
  part: number | undefined;
  /** Why the dump was written (`desc: Trigger: ...`), e.g. "Client Request" or "Program termination". */
  trigger: string | undefined;
  /** Event name to count, e.g. { Ir: 325104887 }. */
  totals: Record<string, number>;
}

/** Parse the text of a callgrind output file. */
export function parseCallgrind(text: string, source = 'callgrind output'): CallgrindDump {
  let events: string[] | undefined;
  let totals: number[] | undefined;
  let summary: number[] | undefined;
  let pid: number | undefined;
  let part: number | undefined;
  let trigger: string | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('events:')) events = line.slice(7).trim().split(/\s+/);
    else if (line.startsWith('totals:')) totals = numbers(line.slice(7), source);
    else if (line.startsWith('summary:')) summary = numbers(line.slice(8), source);
    else if (line.startsWith('pid:')) pid = Number(line.slice(4).trim());
    else if (line.startsWith('part:')) part = Number(line.slice(5).trim());
    else if (line.startsWith('desc: Trigger:')) trigger = line.slice(14).trim();
  }
  if (events === undefined) throw new Error(`${source}: no "events:" line`);
  // `summary:` can be 0 in a dump taken while instrumentation is off; `totals:` is the sum of the dump's costs.
  const values = totals ?? summary;
  if (values === undefined) throw new Error(`${source}: neither "totals:" nor "summary:"`);
  const named: Record<string, number> = {};
  // A trailing event with no value is 0 (callgrind leaves zeros off the end).
  events.forEach((name, index) => {
    named[name] = values[index] ?? 0;
  });
  return { pid, part, trigger, totals: named };
}

function numbers(raw: string, source: string): number[] {
  const fields = raw
    .trim()
    .split(/\s+/)
    .filter((field) => field !== '');
  return fields.map((field) => {
    if (!/^\d+$/.test(field)) throw new Error(`${source}: "${field}" is not a count`);
    return Number(field);
  });
}

/** Read one dump file. */
export function readCallgrindFile(file: string): CallgrindDump {
  return parseCallgrind(readFileSync(file, 'utf8'), file);
}

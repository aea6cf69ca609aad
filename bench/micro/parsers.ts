/**
 * `npm run bench:micro [-- --runs 5 --time 500 --json FILE]`: parse throughput of
 * our parser against Node's llhttp (through `require('_http_common').HTTPParser`)
 * and http-parser-js, on the same inputs. Every (parser, run) is a fresh process
 * (see child.ts, which also says why the clock is CPU time and how a sample is timed);
 * the figure is the median over runs, and ratios compare medians
 * measured in this same invocation. Targets on browser-get: >= 1.0x llhttp, >= 2x
 * http-parser-js.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import type { Contender } from './contenders.ts';
import { microInputs } from './inputs.ts';

/** Defaults, each overridable by the flag of the same name. */
export const microDefaults = { runs: 5, time: 500 };

const parsers: readonly Contender['name'][] = ['server-models', 'llhttp', 'http-parser-js'];
const child = fileURLToPath(new URL('./child.ts', import.meta.url));

interface ChildOutput {
  parser: string;
  results: { input: string; opsPerSec: number }[];
}

function usage(message: string): never {
  console.error(`bench:micro: ${message}`);
  process.exit(2);
}

function positiveInteger(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) usage(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}

let args;
try {
  args = parseArgs({ options: { runs: { type: 'string' }, time: { type: 'string' }, json: { type: 'string' } } });
} catch (error) {
  usage((error as Error).message);
}
const runs = positiveInteger(args.values.runs, 'runs', microDefaults.runs);
const time = positiveInteger(args.values.time, 'time', microDefaults.time);

const samples = new Map<string, number[]>(); // `${parser} ${input}` -> ops/s per run
for (let run = 1; run <= runs; run++) {
  // Interleave parsers within a run, so that drift on a shared machine hits them alike.
  for (const parser of parsers) {
    process.stderr.write(`run ${run}/${runs}: ${parser}\n`);
    const out = execFileSync(process.execPath, ['--import', 'tsx', child, parser, String(time)], { encoding: 'utf8' });
    const parsed = JSON.parse(out.trim().split('\n').at(-1)!) as ChildOutput;
    for (const { input, opsPerSec } of parsed.results) {
      const key = `${parser} ${input}`;
      samples.set(key, [...(samples.get(key) ?? []), opsPerSec]);
    }
  }
}

const results = microInputs.flatMap((input) =>
  parsers.map((parser) => ({ input: input.name, parser, opsPerSec: median(samples.get(`${parser} ${input.name}`)!) })),
);
const ops = (input: string, parser: string): number =>
  results.find((r) => r.input === input && r.parser === parser)!.opsPerSec;
const format = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(
  `\nParse throughput, feeds per second of process CPU time (median of ${runs} runs, ${time} ms of CPU each, ` +
    `one process per parser and run; Node ${process.version})\n`,
);
const header = ['input', 'bytes', ...parsers, 'vs llhttp', 'vs http-parser-js'];
const rows = microInputs.map((input) => [
  input.name,
  String(input.bytes.length),
  ...parsers.map((parser) => format(ops(input.name, parser))),
  `${(ops(input.name, 'server-models') / ops(input.name, 'llhttp')).toFixed(2)}x`,
  `${(ops(input.name, 'server-models') / ops(input.name, 'http-parser-js')).toFixed(2)}x`,
]);
const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
for (const row of [header, ...rows])
  console.log(row.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join('  '));

const llhttpRatio = ops('browser-get', 'server-models') / ops('browser-get', 'llhttp');
const parserJsRatio = ops('browser-get', 'server-models') / ops('browser-get', 'http-parser-js');
console.log(
  `\ntargets on browser-get: vs llhttp ${llhttpRatio.toFixed(2)}x (target >= 1.00x) ${llhttpRatio >= 1 ? 'met' : 'NOT met'}; ` +
    `vs http-parser-js ${parserJsRatio.toFixed(2)}x (target >= 2.00x) ${parserJsRatio >= 2 ? 'met' : 'NOT met'}`,
);
if (args.values.json !== undefined) {
  writeFileSync(args.values.json, `${JSON.stringify({ results }, null, 2)}\n`);
  console.log(`wrote ${args.values.json}`);
}

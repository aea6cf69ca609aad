/**
 * `npm run bench:micro [-- --runs 5 --time 500 --json FILE]`: parse throughput of
 * our parser against Node's llhttp (through `require('_http_common').HTTPParser`)
 * and http-parser-js, on the same inputs.
 *
 * Each run is two fresh processes (child.ts): ours against llhttp, and
 * http-parser-js against llhttp, each pair timed in alternating slices of a few
 * milliseconds of CPU (child.ts says why). A ratio is the median over every slice
 * pair of every run; llhttp, which both processes measure, carries the ratio
 * between the two JavaScript parsers. The spread printed is the lowest and highest
 * run's own median: how far one process alone could be trusted.
 *
 * The child runs as an esbuild bundle, as the servers do (bench/targets/model.ts):
 * through tsx, every call of an imported function is a getter call first.
 *
 * Targets on browser-get: >= 1.5x llhttp (issue 15), >= 2x http-parser-js.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { max, median, min } from 'simple-statistics';
import { bundleServe } from '../counted/bundle-serve.ts';
import { checkOutputFile, OutputPathError, writeFileAtomic } from '../results/output.ts';
import { microInputs } from './inputs.ts';

/** Defaults, each overridable by the flag of the same name. */
export const microDefaults = { runs: 5, time: 500 };
/** The target on browser-get against llhttp (issue 15). */
const llhttpTarget = 1.5;

const childEntry = fileURLToPath(new URL('./child.ts', import.meta.url));
/** Each process's pair: a JavaScript parser and llhttp, its yardstick. */
const pairs = [
  ['server-models', 'llhttp'],
  ['http-parser-js', 'llhttp'],
] as const;

interface ChildOutput {
  parsers: string[];
  results: { input: string; slices: [number, number][] }[];
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

// A --json path that cannot be written is said now, not after minutes of measuring.
if (args.values.json !== undefined) {
  try {
    checkOutputFile(args.values.json, '--json file');
  } catch (error) {
    if (!(error instanceof OutputPathError)) throw error;
    usage(error.message);
  }
}

/** Write the results file atomically; a failure is one line and exit 2. */
function writeJson(path: string, data: unknown): void {
  try {
    writeFileAtomic(path, `${JSON.stringify(data, null, 2)}\n`);
  } catch (error) {
    if (!(error instanceof OutputPathError)) throw error;
    usage(error.message);
  }
}

const child = await bundleServe(childEntry);
/** `${first parser} ${input}` -> one entry per run: that run's slice pairs. */
const measured = new Map<string, [number, number][][]>();
for (let run = 1; run <= runs; run++) {
  for (const pair of run % 2 === 1 ? pairs : [...pairs].reverse()) {
    process.stderr.write(`run ${run}/${runs}: ${pair.join(' against ')}\n`);
    const out = execFileSync(process.execPath, [child, pair.join(','), String(time)], { encoding: 'utf8' });
    const parsed = JSON.parse(out.trim().split('\n').at(-1)!) as ChildOutput;
    for (const { input, slices } of parsed.results) {
      const key = `${pair[0]} ${input}`;
      measured.set(key, [...(measured.get(key) ?? []), slices]);
    }
  }
}

/** What one JavaScript parser's process measured on one input. */
function summary(parser: string, input: string) {
  const byRun = measured.get(`${parser} ${input}`)!;
  const all = byRun.flat();
  const runRatios = byRun.map((slices) => median(slices.map(([a, b]) => a / b)));
  return {
    opsPerSec: median(all.map(([a]) => a)),
    llhttpOpsPerSec: median(all.map(([, b]) => b)),
    vsLlhttp: median(all.map(([a, b]) => a / b)),
    runRange: [min(runRatios), max(runRatios)] as [number, number],
    slicePairs: all.length,
  };
}
const results = microInputs.map((input) => {
  const ours = summary('server-models', input.name);
  const parserJs = summary('http-parser-js', input.name);
  return {
    input: input.name,
    bytes: input.bytes.length,
    ours,
    parserJs,
    vsParserJs: ours.vsLlhttp / parserJs.vsLlhttp,
  };
});
const format = (n: number): string => Math.round(n).toLocaleString('en-US');

console.log(
  `\nParse throughput, feeds per second of process CPU time (medians over ${results[0]!.ours.slicePairs} ` +
    `alternating slice pairs per input, ${runs} runs of ${time} ms of CPU per parser and input; Node ${process.version})\n`,
);
const header = [
  'input',
  'bytes',
  'server-models',
  'llhttp',
  'http-parser-js',
  'vs llhttp',
  '(runs)',
  'vs http-parser-js',
];
const rows = results.map((r) => [
  r.input,
  String(r.bytes),
  format(r.ours.opsPerSec),
  format(r.ours.llhttpOpsPerSec),
  format(r.parserJs.opsPerSec),
  `${r.ours.vsLlhttp.toFixed(2)}x`,
  `${r.ours.runRange[0].toFixed(2)}-${r.ours.runRange[1].toFixed(2)}`,
  `${r.vsParserJs.toFixed(2)}x`,
]);
const widths = header.map((h, k) => Math.max(h.length, ...rows.map((row) => row[k]!.length)));
for (const row of [header, ...rows])
  console.log(row.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]!) : cell.padStart(widths[k]!))).join('  '));

const browser = results.find((r) => r.input === 'browser-get')!;
const met = (value: number, target: number): string =>
  `(target >= ${target.toFixed(2)}x) ${value >= target ? 'met' : 'NOT met'}`;
console.log(
  `\ntargets on browser-get: vs llhttp ${browser.ours.vsLlhttp.toFixed(2)}x ${met(browser.ours.vsLlhttp, llhttpTarget)}; ` +
    `vs http-parser-js ${browser.vsParserJs.toFixed(2)}x ${met(browser.vsParserJs, 2)}`,
);
if (args.values.json !== undefined) {
  writeJson(args.values.json, { runs, time, node: process.version, results });
  console.log(`wrote ${args.values.json}`);
}

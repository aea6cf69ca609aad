/**
 * `npm run bench:cores [-- --pairs 7 --duration 2 --json FILE]`: how close each
 * core is to what Node (or the OS) allows, as ratios against a reference
 * measured in this same run. A machine's speed moves 2× from hour to hour, and
 * here within seconds (other guests on the host): only ratios of figures taken
 * side by side mean anything.
 *
 * So each part starts its servers together and keeps them running, warms each,
 * then loads them in turn, one `--duration` trial each, for `--pairs` rounds (the
 * order flips every round). Every ratio is computed within a round, from trials
 * seconds apart, and the figure printed is the median over rounds, with the
 * lowest and highest round beside it. (Restarting the servers for every trial put
 * ten seconds and more between the two sides of a ratio, and one pair of
 * event-loop/canned read 0.59 where the median read 0.85.)
 *
 * Placement (two CPUs or more): servers on CPU 1, wrk (one thread) and this
 * harness on CPU 0; process-per-request runs on CPUs 0-1, the fork-bound ceiling's
 * CPUs. A trial whose wrk used ≥ 0.9 of its CPU is marked: wrk was the limit.
 * Each ratio is given as requests/s and as server CPU per request: on a shared
 * machine (other work on the server's CPU) the second is the steadier one.
 *
 * (a) event-loop /hello requests/s vs the canned `net` server and vs node:http;
 * (b) worker-pool (one thread, same CPU) vs event-loop on /hello, and the hop's
 *     server CPU per request over inline vs a bare MessagePort round trip;
 * (c) GET /static/1k server CPU per request, event-loop vs nginx (one worker);
 * (d) process-per-request requests/s × `node -e 0` start time ÷ CPUs, and the same share
 *     by CPU time (a `node -e 0`'s CPU ÷ the server's CPU per request), which other jobs on
 *     the machine's CPUs do not move as much; `node -e 0` is timed in every round;
 * (e) the parser vs llhttp (bench:micro, which alternates slices within a process).
 *
 * `--only b,d` measures only those parts (their servers and references), for
 * work on one core.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { pinSelf } from '../os/processes.ts';
import { checkOutputFile, OutputPathError, writeFileAtomic } from '../results/output.ts';
import { type LoadFigures, load } from './cores/load.ts';
import { type BenchServer, stopAll } from './cores/servers.ts';

import {
  clientCpu,
  cpu,
  forkConnections,
  forkCpuCount,
  forkCpus,
  helloConnections,
  type Part,
  type PartSpec,
  partSpecs,
  rps,
  serverCpu,
  wrkLimit,
} from './cores/parts.ts';

function usage(message: string): never {
  console.error(`bench:cores: ${message}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      pairs: { type: 'string' },
      duration: { type: 'string' },
      json: { type: 'string' },
      only: { type: 'string' },
    },
  });
} catch (error) {
  usage((error as Error).message);
}
const positive = (text: string | undefined, flag: string, fallback: number): number => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) usage(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
};
const pairs = positive(args.values.pairs, 'pairs', 7);
const duration = positive(args.values.duration, 'duration', 2);
const allParts: readonly Part[] = ['a', 'b', 'c', 'd', 'e'];
const only = (args.values.only ?? allParts.join(',')).split(',');
for (const part of only)
  if (!(allParts as readonly string[]).includes(part)) usage(`--only: unknown part "${part}" (parts: a, b, c, d, e)`);
const wanted = (parts: readonly Part[]): boolean => parts.some((part) => only.includes(part));

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

const here = fileURLToPath(new URL('.', import.meta.url));
const samples = new Map<string, LoadFigures[]>();
const limited = new Set<string>();
const unanswered = new Map<string, number>();
/** The figures of one round: each trial by key, and each scalar reference by name. */
type Round = Map<string, LoadFigures | number>;

/** One trial of `server` at `path`, recorded under `key`: its figures, or undefined when it had no answer. */
async function trial(key: string, server: BenchServer, path: string, connections: number) {
  const figures = await load(server, path, connections, duration, clientCpu);
  if (figures.errors > 0) usage(`${key}: ${figures.errors} errors or non-2xx answers; not a figure`);
  if (figures.requests === 0) {
    // No answer in the whole trial (a server starved of its CPU by other jobs): no figure to keep.
    unanswered.set(key, (unanswered.get(key) ?? 0) + 1);
    return undefined;
  }
  if (figures.wrkCpuShare >= wrkLimit) limited.add(key);
  samples.set(key, [...(samples.get(key) ?? []), figures]);
  process.stderr.write(
    `  ${key}: ${Math.round(figures.requestsPerSec)} req/s, ${figures.serverCpuUsPerRequest.toFixed(1)} µs CPU/req, ` +
      `wrk CPU ${figures.wrkCpuShare.toFixed(2)}\n`,
  );
  return figures;
}

/** Per ratio name: its value in each round. */
const perRound = new Map<string, number[]>();
/** Per scalar reference: its value in each round. */
const scalars = new Map<string, number[]>();

async function measurePart(spec: PartSpec): Promise<void> {
  process.stderr.write(`part ${spec.part}\n`);
  const servers: BenchServer[] = [];
  try {
    for (const contender of spec.contenders) servers.push(await contender.start());
    // Warm-up, not recorded: every server's code optimized before the first round.
    for (const [k, contender] of spec.contenders.entries())
      await load(servers[k]!, contender.path, contender.connections, 1, clientCpu);
    const steps = [
      ...spec.contenders.map((contender, k) => ({ contender, server: servers[k]! })),
      ...(spec.references ?? []).map((reference) => ({ reference })),
    ];
    for (let round = 1; round <= pairs; round++) {
      process.stderr.write(`round ${round}/${pairs}\n`);
      const figures: Round = new Map();
      // Flip the order, so that drift within a round hits both sides of every ratio alike.
      for (const step of round % 2 === 1 ? steps : [...steps].reverse()) {
        if ('reference' in step) {
          for (const [name, value] of Object.entries(step.reference.measure())) {
            figures.set(name, value);
            scalars.set(name, [...(scalars.get(name) ?? []), value]);
          }
          continue;
        }
        const { contender, server } = step;
        const got = await trial(contender.key, server, contender.path, contender.connections);
        if (got !== undefined) figures.set(contender.key, got);
      }
      const figure = (key: string, field: keyof LoadFigures): number =>
        (figures.get(key) as LoadFigures | undefined)?.[field] ?? Number.NaN;
      const scalar = (name: string): number => (figures.get(name) as number | undefined) ?? Number.NaN;
      for (const ratio of spec.ratios) {
        const value = ratio.of(figure, scalar);
        if (Number.isFinite(value)) perRound.set(ratio.name, [...(perRound.get(ratio.name) ?? []), value]);
      }
    }
  } finally {
    for (const server of servers) await server.stop();
  }
}

process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});
pinSelf(clientCpu);
try {
  for (const spec of partSpecs) if (wanted([spec.part])) await measurePart(spec);
} finally {
  stopAll();
}

interface MicroResults {
  results: { input: string; ours: { vsLlhttp: number; runRange: [number, number] } }[];
}
function parserMicro(): MicroResults {
  const microJson = join(tmpdir(), `bench-cores-micro-${process.pid}.json`);
  try {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(here, 'parsers.ts'), '--runs', '5', '--time', '300', '--json', microJson],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    return JSON.parse(readFileSync(microJson, 'utf8')) as MicroResults;
  } finally {
    rmSync(microJson, { force: true });
  }
}
const micro: MicroResults | undefined = wanted(['e']) ? parserMicro() : undefined;
const browser = micro?.results.find((r) => r.input === 'browser-get')?.ours;

/** The median of a figure over rounds; NaN for a part `--only` left out. */
const med = (key: string, field: keyof LoadFigures): number => {
  const values = (samples.get(key) ?? []).map((f) => f[field]);
  return values.length > 0 ? median(values) : Number.NaN;
};
const scalar = (key: string): number => median(scalars.get(key) ?? [Number.NaN]);
const ratios = [
  ...partSpecs
    .filter((spec) => wanted([spec.part]))
    .flatMap((spec) =>
      spec.ratios.map((ratio) => {
        const values = perRound.get(ratio.name) ?? [];
        return {
          name: ratio.name,
          target: ratio.target,
          value: values.length > 0 ? median(values) : Number.NaN,
          range: values.length > 0 ? [Math.min(...values), Math.max(...values)] : [],
          rounds: values.length,
        };
      }),
    ),
  ...(browser
    ? [
        {
          name: '(e) parser / llhttp, browser-get feeds/s (median of alternating slice pairs)',
          target: '>= 1.5',
          value: browser.vsLlhttp,
          range: browser.runRange,
          rounds: 5,
        },
      ]
    : []),
];
const startMs = scalar('node -e 0 ms');

console.log(
  `\nbench:cores, Node ${process.version}: each part's servers loaded in turn, ${pairs} rounds of ${duration} s ` +
    `trials (figures are medians over rounds; ratios are medians of each round's own ratio, [lowest, highest] round); ` +
    `servers on CPU ${serverCpu}, wrk and harness on CPU ${clientCpu}, process-per-request on CPUs ${forkCpus}\n`,
);
const keys = [...samples.keys()];
const width = Math.max(...keys.map((k) => k.length));
for (const key of keys) {
  console.log(
    `${key.padEnd(width)}  ${Math.round(med(key, rps)).toString().padStart(7)} req/s  ` +
      `${med(key, cpu).toFixed(1).padStart(7)} µs CPU/req  server CPU ${med(key, 'serverCpuShare').toFixed(2)}  ` +
      `wrk CPU ${med(key, 'wrkCpuShare').toFixed(2)}${limited.has(key) ? '  (wrk was the limit in a trial)' : ''}` +
      (unanswered.has(key) ? `  (${unanswered.get(key)} trial(s) with no answer left out)` : ''),
  );
}
const starved = keys.filter(
  (k) => !k.startsWith('process-per-request') && med(k, 'serverCpuShare') < 0.8 && !limited.has(k),
);
if (starved.length > 0)
  console.log(
    `note: ${starved.join(', ')} used under 0.8 of the server CPU while wrk was not the limit: other work shared ` +
      'that CPU (see top), so requests/s ratios are unsafe; the CPU-per-request ratios are the ones to read',
  );
if (wanted(['b']))
  console.log(
    `hop over inline: ${(med('worker-pool hello', cpu) - med('event-loop hello (b)', cpu)).toFixed(1)} µs CPU/req; ` +
      `bare MessagePort round trip ${scalar('port round trip µs').toFixed(1)} µs`,
  );
if (wanted(['d']))
  console.log(
    `node -e 0 start: ${startMs.toFixed(1)} ms wall, ${scalar('node -e 0 CPU ms').toFixed(1)} ms CPU ` +
      `(fork-bound ceiling ${((forkCpuCount * 1000) / startMs).toFixed(1)} req/s)`,
  );
console.log('');
for (const r of ratios) {
  const range = r.range.length === 2 ? ` [${r.range[0]!.toFixed(2)}, ${r.range[1]!.toFixed(2)}]` : '';
  const verdict =
    r.target === undefined ? '' : ` (target ${r.target}${meets(r.value, r.target) ? ', met' : ', NOT met'})`;
  console.log(`${r.name}: ${r.value.toFixed(2)}x${range}${verdict}`);
}
if (args.values.json !== undefined) {
  const raw = Object.fromEntries([...samples].map(([k, v]) => [k, v]));
  const extra = Object.fromEntries(scalars);
  const config = { pairs, duration, serverCpu, clientCpu, forkCpus, helloConnections, forkConnections };
  writeJson(args.values.json, { config, node: process.version, ratios, raw, extra, micro });
  console.log(`wrote ${args.values.json}`);
}

/** Whether `value` meets a target written `>= x` or `<= x`. */
function meets(value: number, target: string): boolean {
  const [, op, bound] = /^(>=|<=) ([\d.]+)$/.exec(target) ?? [];
  if (op === undefined) return false;
  return op === '>=' ? value >= Number(bound) : value <= Number(bound);
}

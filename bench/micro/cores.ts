/**
 * `npm run bench:cores [-- --pairs 3 --duration 3 --json FILE]`: how close each
 * core is to what Node (or the OS) allows, as ratios against a reference
 * measured in this same run, in alternating A/B pairs (the order flips every
 * pair; each figure is the median over pairs). A machine's speed moves 2× from
 * hour to hour: only same-run ratios mean anything.
 *
 * Placement (two CPUs or more): servers on CPU 1, wrk (one thread) and this
 * harness on CPU 0; process-per-request runs on CPUs 0-1, the fork-bound ceiling's
 * CPUs. A run whose wrk used ≥ 0.9 of its CPU is marked: wrk was the limit.
 * Each ratio is given as requests/s and as server CPU per request: on a shared
 * machine (other work on the server's CPU) the second is the steadier one.
 *
 * (a) event-loop /hello requests/s vs the canned `net` server and vs node:http;
 * (b) worker-pool (one thread, same CPU) vs event-loop on /hello, and the hop's
 *     server CPU per request over inline vs a bare MessagePort round trip;
 * (c) GET /static/1k server CPU per request, event-loop vs nginx (one worker);
 * (d) process-per-request requests/s × `node -e 0` start time ÷ CPUs, and the same share
 *     by CPU time (a `node -e 0`'s CPU ÷ the server's CPU per request), which other jobs on
 *     the machine's CPUs do not move as much;
 * (e) the parser vs llhttp (bench:micro, five short runs).
 *
 * `--only b,d` measures only those parts (their servers and references), for
 * work on one core.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from 'simple-statistics';
import { pinSelf } from '../os/processes.ts';
import { ownChildrenCpuSec } from '../os/sampler.ts';
import { type LoadFigures, load } from './cores/load.ts';
import { type BenchServer, startCanned, startModel, startNginx, stopAll } from './cores/servers.ts';

const serverCpu = '1';
const clientCpu = '0';
const forkCpus = '0-1';
const forkCpuCount = 2;
const helloConnections = 32;
const forkConnections = 4;
/** wrk at this share of its CPU or more was the limit, not the server. */
const wrkLimit = 0.9;

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
const pairs = positive(args.values.pairs, 'pairs', 3);
const duration = positive(args.values.duration, 'duration', 3);
const allParts = ['a', 'b', 'c', 'd', 'e'] as const;
type Part = (typeof allParts)[number];
const only = (args.values.only ?? allParts.join(',')).split(',');
for (const part of only)
  if (!(allParts as readonly string[]).includes(part)) usage(`--only: unknown part "${part}" (parts: a, b, c, d, e)`);
const wanted = (parts: readonly Part[]): boolean => parts.some((part) => only.includes(part));

const here = fileURLToPath(new URL('.', import.meta.url));
const samples = new Map<string, LoadFigures[]>();
const scalars = new Map<string, number[]>();
const limited = new Set<string>();
const unanswered = new Map<string, number>();
const record = (key: string, figures: LoadFigures): void => {
  if (figures.errors > 0) usage(`${key}: ${figures.errors} errors or non-2xx answers; not a figure`);
  if (figures.requests === 0) {
    // No answer in the whole trial (a server starved of its CPU by other jobs): no figure to keep.
    unanswered.set(key, (unanswered.get(key) ?? 0) + 1);
    return;
  }
  if (figures.wrkCpuShare >= wrkLimit) limited.add(key);
  samples.set(key, [...(samples.get(key) ?? []), figures]);
};
const note = (key: string, value: number): void => {
  scalars.set(key, [...(scalars.get(key) ?? []), value]);
};

async function measured(key: string, start: () => Promise<BenchServer>, path: string, connections: number) {
  const server = await start();
  try {
    await load(server, path, connections, 1, clientCpu); // warm-up, not recorded
    const figures = await load(server, path, connections, duration, clientCpu);
    record(key, figures);
    process.stderr.write(
      `  ${key}: ${Math.round(figures.requestsPerSec)} req/s, ${figures.serverCpuUsPerRequest.toFixed(1)} µs CPU/req, ` +
        `wrk CPU ${figures.wrkCpuShare.toFixed(2)}\n`,
    );
  } finally {
    await server.stop();
  }
}

/**
 * Median wall time of `node -e 0`, in ms, over `n` sequential starts, on CPUs 0-1 as the
 * children run, with an environment as small as a child's (the core gives each child a CGI
 * environment; this shell's NODE_EXTRA_CA_CERTS alone would double a start).
 */
function nodeStartMs(n: number): number {
  const times: number[] = [];
  const cpuBefore = ownChildrenCpuSec();
  for (let k = 0; k < n; k++) {
    const t = process.hrtime.bigint();
    spawnSync('taskset', ['-c', forkCpus, process.execPath, '-e', '0'], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '' },
    });
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  // Waited-for children: their CPU is in this process's children's total now.
  note('node -e 0 CPU ms', ((ownChildrenCpuSec() - cpuBefore) * 1000) / n);
  return median(times);
}

function portRoundTrip(): { cpuUsPerTrip: number } {
  const out = execFileSync(
    'taskset',
    ['-c', serverCpu, process.execPath, '--import', 'tsx', join(here, 'cores/port-round-trip.ts')],
    { encoding: 'utf8' },
  );
  return JSON.parse(out.trim().split('\n').at(-1) as string) as { cpuUsPerTrip: number };
}

const hello = '/hello';
const small = '/static/1k';
const eventLoop = () => startModel('event-loop', serverCpu);
const allSteps: Array<[string, Part[], () => Promise<void>]> = [
  ['canned', ['a'], () => measured('canned hello', () => startCanned(serverCpu), hello, helloConnections)],
  ['event-loop', ['a', 'b'], () => measured('event-loop hello', eventLoop, hello, helloConnections)],
  [
    'node-http',
    ['a'],
    () => measured('node-http hello', () => startModel('node-http', serverCpu), hello, helloConnections),
  ],
  [
    'worker-pool',
    ['b'],
    () =>
      measured(
        'worker-pool hello',
        () => startModel('worker-pool', serverCpu, ['--threads', '1']),
        hello,
        helloConnections,
      ),
  ],
  ['port', ['b'], async () => note('port round trip µs', portRoundTrip().cpuUsPerTrip)],
  ['event-loop static', ['c'], () => measured('event-loop static-1k', eventLoop, small, helloConnections)],
  ['nginx static', ['c'], () => measured('nginx static-1k', () => startNginx(serverCpu), small, helloConnections)],
  ['node -e 0', ['d'], async () => note('node -e 0 ms', nodeStartMs(9))],
  [
    'process-per-request',
    ['d'],
    () =>
      measured('process-per-request hello', () => startModel('process-per-request', forkCpus), hello, forkConnections),
  ],
];
const steps = allSteps.filter(([, parts]) => wanted(parts)).map(([name, , step]) => [name, step] as const);

process.on('SIGINT', () => {
  stopAll();
  process.exit(130);
});
pinSelf(clientCpu);
try {
  for (let pair = 1; pair <= pairs; pair++) {
    process.stderr.write(`pair ${pair}/${pairs}\n`);
    // Alternate the order, so that drift within a pair hits both sides of every ratio alike.
    for (const [, step] of pair % 2 === 1 ? steps : [...steps].reverse()) await step();
  }
} finally {
  stopAll();
}

interface MicroResults {
  results: { input: string; parser: string; opsPerSec: number }[];
}
function parserMicro(): MicroResults {
  const microJson = join(tmpdir(), `bench-cores-micro-${process.pid}.json`);
  try {
    execFileSync(
      process.execPath,
      ['--import', 'tsx', join(here, 'parsers.ts'), '--runs', '5', '--time', '200', '--json', microJson],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    return JSON.parse(readFileSync(microJson, 'utf8')) as MicroResults;
  } finally {
    rmSync(microJson, { force: true });
  }
}
const micro: MicroResults = wanted(['e']) ? parserMicro() : { results: [] };

/** The median of a figure over pairs; NaN for a part `--only` left out. */
const med = (key: string, field: keyof LoadFigures): number => {
  const values = (samples.get(key) ?? []).map((f) => f[field]);
  return values.length > 0 ? median(values) : Number.NaN;
};
const rps = (key: string): number => med(key, 'requestsPerSec');
const cpu = (key: string): number => med(key, 'serverCpuUsPerRequest');
const scalar = (key: string): number => median(scalars.get(key) ?? [Number.NaN]);
const ops = (input: string, parser: string): number =>
  micro.results.find((r) => r.input === input && r.parser === parser)?.opsPerSec ?? Number.NaN;

const hop = cpu('worker-pool hello') - cpu('event-loop hello');
const startMs = scalar('node -e 0 ms');
const ratios = [
  {
    name: '(a) event-loop / canned net server, hello req/s',
    value: rps('event-loop hello') / rps('canned hello'),
    target: 'the Node limit is 1.0',
  },
  {
    name: '(a) canned net server / event-loop, hello server CPU per request',
    value: cpu('canned hello') / cpu('event-loop hello'),
  },
  { name: '(a) event-loop / node:http, hello req/s', value: rps('event-loop hello') / rps('node-http hello') },
  {
    name: '(a) node:http / event-loop, hello server CPU per request',
    value: cpu('node-http hello') / cpu('event-loop hello'),
  },
  {
    name: '(b) worker-pool (1 thread) / event-loop, hello req/s, one CPU',
    value: rps('worker-pool hello') / rps('event-loop hello'),
    target: '>= 0.6',
  },
  {
    name: '(b) event-loop / worker-pool (1 thread), hello server CPU per request',
    value: cpu('event-loop hello') / cpu('worker-pool hello'),
  },
  {
    name: '(b) hop (worker-pool - event-loop CPU/req) / bare MessagePort round trip',
    value: hop / scalar('port round trip µs'),
    target: '<= 1.5',
  },
  {
    name: '(c) event-loop / nginx, static-1k server CPU per request',
    value: cpu('event-loop static-1k') / cpu('nginx static-1k'),
    target: '<= 2.0',
  },
  {
    name: '(d) process-per-request req/s × node -e 0 start ÷ CPUs (fork-bound share)',
    value: (rps('process-per-request hello') * (startMs / 1000)) / forkCpuCount,
    target: '>= 0.85',
  },
  {
    name: '(d) node -e 0 CPU ÷ process-per-request server CPU per request (the same share, by CPU time)',
    value: scalar('node -e 0 CPU ms') / (cpu('process-per-request hello') / 1000),
    target: '>= 0.85',
  },
  {
    name: '(e) parser / llhttp, browser-get feeds/s',
    value: ops('browser-get', 'server-models') / ops('browser-get', 'llhttp'),
    target: '>= 1.5',
  },
].filter((ratio) => only.includes(ratio.name[1]!));

console.log(
  `\nbench:cores, Node ${process.version}, ${pairs} alternating pairs of ${duration} s (medians); ` +
    `servers on CPU ${serverCpu}, wrk and harness on CPU ${clientCpu}, process-per-request on CPUs ${forkCpus}\n`,
);
const keys = [...samples.keys()];
const width = Math.max(...keys.map((k) => k.length));
for (const key of keys) {
  console.log(
    `${key.padEnd(width)}  ${Math.round(rps(key)).toString().padStart(7)} req/s  ` +
      `${cpu(key).toFixed(1).padStart(7)} µs CPU/req  server CPU ${med(key, 'serverCpuShare').toFixed(2)}  ` +
      `wrk CPU ${med(key, 'wrkCpuShare').toFixed(2)}${limited.has(key) ? '  (wrk was the limit in a pair)' : ''}` +
      (unanswered.has(key) ? `  (${unanswered.get(key)} pair(s) with no answer left out)` : ''),
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
console.log(
  `hop over inline: ${hop.toFixed(1)} µs CPU/req; bare MessagePort round trip ${scalar('port round trip µs').toFixed(1)} µs`,
);
console.log(
  `node -e 0 start: ${startMs.toFixed(1)} ms wall, ${scalar('node -e 0 CPU ms').toFixed(1)} ms CPU (fork-bound ceiling ${((forkCpuCount * 1000) / startMs).toFixed(1)} req/s)\n`,
);
for (const r of ratios) console.log(`${r.name}: ${r.value.toFixed(2)}x${r.target ? ` (target ${r.target})` : ''}`);
if (args.values.json !== undefined) {
  const raw = Object.fromEntries([...samples].map(([k, v]) => [k, v]));
  const extra = Object.fromEntries(scalars);
  const config = { pairs, duration, serverCpu, clientCpu, forkCpus, helloConnections, forkConnections };
  writeFileSync(
    args.values.json,
    `${JSON.stringify({ config, node: process.version, ratios, raw, extra, micro }, null, 2)}\n`,
  );
  console.log(`wrote ${args.values.json}`);
}

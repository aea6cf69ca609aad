/**
 * What bench:cores measures (bench/micro/cores.ts): each part's servers, the
 * references timed beside them in every round, and the ratios a round yields.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from 'simple-statistics';
import { ownChildrenCpuSec } from '../../os/sampler.ts';
import type { LoadFigures } from './load.ts';
import { type BenchServer, startCanned, startModel, startNginx } from './servers.ts';

export const serverCpu = '1';
export const clientCpu = '0';
export const forkCpus = '0-1';
export const forkCpuCount = 2;
export const helloConnections = 32;
export const forkConnections = 4;
/** wrk at this share of its CPU or more was the limit, not the server. */
export const wrkLimit = 0.9;

export type Part = 'a' | 'b' | 'c' | 'd' | 'e';
const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * Median wall time of `node -e 0`, in ms, over `n` sequential starts, on CPUs 0-1 as the
 * children run, with an environment as small as a child's (the core gives each child a CGI
 * environment; this shell's NODE_EXTRA_CA_CERTS alone would double a start); and its CPU.
 */
function nodeStart(n: number): { wallMs: number; cpuMs: number } {
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
  return { wallMs: median(times), cpuMs: ((ownChildrenCpuSec() - cpuBefore) * 1000) / n };
}

function portRoundTripUs(): number {
  const out = execFileSync(
    'taskset',
    ['-c', serverCpu, process.execPath, '--import', 'tsx', join(here, 'port-round-trip.ts')],
    { encoding: 'utf8' },
  );
  return (JSON.parse(out.trim().split('\n').at(-1) as string) as { cpuUsPerTrip: number }).cpuUsPerTrip;
}

export interface Contender {
  key: string;
  start: () => Promise<BenchServer>;
  path: string;
  connections: number;
}
export interface Reference {
  /** Its name, and the names of the figures it gives a round. */
  name: string;
  measure: () => Record<string, number>;
}
export interface Ratio {
  name: string;
  target?: string;
  /** The ratio within one round; NaN when a side had no answer. */
  of: (figure: (key: string, field: keyof LoadFigures) => number, scalar: (name: string) => number) => number;
}
export interface PartSpec {
  part: Part;
  contenders: Contender[];
  references?: Reference[];
  ratios: Ratio[];
}

const hello = '/hello';
const small = '/static/1k';
const eventLoop = () => startModel('event-loop', serverCpu);
export const rps = 'requestsPerSec';
export const cpu = 'serverCpuUsPerRequest';
export const partSpecs: PartSpec[] = [
  {
    part: 'a',
    contenders: [
      { key: 'canned hello', start: () => startCanned(serverCpu), path: hello, connections: helloConnections },
      { key: 'event-loop hello', start: eventLoop, path: hello, connections: helloConnections },
      {
        key: 'node-http hello',
        start: () => startModel('node-http', serverCpu),
        path: hello,
        connections: helloConnections,
      },
    ],
    ratios: [
      {
        name: '(a) event-loop / canned net server, hello req/s',
        target: '>= 0.85',
        of: (f) => f('event-loop hello', rps) / f('canned hello', rps),
      },
      {
        name: '(a) canned net server / event-loop, hello server CPU per request',
        of: (f) => f('canned hello', cpu) / f('event-loop hello', cpu),
      },
      {
        name: '(a) event-loop / node:http, hello req/s',
        of: (f) => f('event-loop hello', rps) / f('node-http hello', rps),
      },
      {
        name: '(a) node:http / event-loop, hello server CPU per request',
        of: (f) => f('node-http hello', cpu) / f('event-loop hello', cpu),
      },
    ],
  },
  {
    part: 'b',
    contenders: [
      { key: 'event-loop hello (b)', start: eventLoop, path: hello, connections: helloConnections },
      {
        key: 'worker-pool hello',
        start: () => startModel('worker-pool', serverCpu, ['--threads', '1']),
        path: hello,
        connections: helloConnections,
      },
    ],
    references: [{ name: 'port', measure: () => ({ 'port round trip µs': portRoundTripUs() }) }],
    ratios: [
      {
        name: '(b) worker-pool (1 thread) / event-loop, hello req/s, one CPU',
        target: '>= 0.6',
        of: (f) => f('worker-pool hello', rps) / f('event-loop hello (b)', rps),
      },
      {
        name: '(b) event-loop / worker-pool (1 thread), hello server CPU per request',
        of: (f) => f('event-loop hello (b)', cpu) / f('worker-pool hello', cpu),
      },
      {
        name: '(b) hop (worker-pool - event-loop CPU/req) / bare MessagePort round trip',
        target: '<= 1.5',
        of: (f, s) => (f('worker-pool hello', cpu) - f('event-loop hello (b)', cpu)) / s('port round trip µs'),
      },
    ],
  },
  {
    part: 'c',
    contenders: [
      { key: 'event-loop static-1k', start: eventLoop, path: small, connections: helloConnections },
      { key: 'nginx static-1k', start: () => startNginx(serverCpu), path: small, connections: helloConnections },
    ],
    ratios: [
      {
        name: '(c) event-loop / nginx, static-1k server CPU per request',
        target: '<= 2.0',
        of: (f) => f('event-loop static-1k', cpu) / f('nginx static-1k', cpu),
      },
    ],
  },
  {
    part: 'd',
    contenders: [
      {
        key: 'process-per-request hello',
        start: () => startModel('process-per-request', forkCpus),
        path: hello,
        connections: forkConnections,
      },
    ],
    references: [
      {
        name: 'node -e 0',
        measure: () => {
          const { wallMs, cpuMs } = nodeStart(9);
          return { 'node -e 0 ms': wallMs, 'node -e 0 CPU ms': cpuMs };
        },
      },
    ],
    ratios: [
      {
        name: '(d) process-per-request req/s × node -e 0 start ÷ CPUs (fork-bound share)',
        target: '>= 0.85',
        of: (f, s) => (f('process-per-request hello', rps) * (s('node -e 0 ms') / 1000)) / forkCpuCount,
      },
      {
        name: '(d) node -e 0 CPU ÷ process-per-request server CPU per request (the same share, by CPU time)',
        target: '>= 0.85',
        of: (f, s) => s('node -e 0 CPU ms') / (f('process-per-request hello', cpu) / 1000),
      },
    ],
  },
];

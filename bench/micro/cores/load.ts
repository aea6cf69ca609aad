/**
 * One wrk run against a bench:cores server: requests/s from wrk, the server's
 * CPU from /proc over the run (its whole process tree, waited-for children
 * included), wrk's own CPU, so that a run where wrk was the limit is seen.
 */
import { spawn } from 'node:child_process';
import { pinned } from '../../os/processes.ts';
import { ownChildrenCpuSec, treeCpuSec } from '../../os/sampler.ts';
import type { BenchServer } from './servers.ts';

export interface LoadFigures {
  requestsPerSec: number;
  requests: number;
  /** Non-2xx/3xx answers and socket errors wrk counted: a run with any is not a figure. */
  errors: number;
  /** Server CPU (all its processes and threads) per request, in µs. */
  serverCpuUsPerRequest: number;
  /** Server CPU seconds per wall second: 1.0 is one full CPU. */
  serverCpuShare: number;
  /** wrk's CPU seconds per wall second: near 1.0, wrk (one thread) was the limit. */
  wrkCpuShare: number;
}

function runWrk(cpus: string, args: string[], timeoutSec: number): Promise<string> {
  const [command, argv] = pinned(cpus, 'wrk', args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSec * 1000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`wrk exited with ${code}: ${out.trim().split('\n').at(-1) ?? ''}`));
    });
  });
}

/** Load `server` at `path` with wrk (one thread, `connections`, `durationSec`) on `wrkCpus`. */
export async function load(
  server: BenchServer,
  path: string,
  connections: number,
  durationSec: number,
  wrkCpus: string,
): Promise<LoadFigures> {
  const args = ['-t', '1', '-c', String(connections), '-d', `${durationSec}s`, '--latency', `${server.url}${path}`];
  const wrkBefore = ownChildrenCpuSec();
  const serverBefore = treeCpuSec(server.pid);
  const started = process.hrtime.bigint();
  const out = await runWrk(wrkCpus, args, durationSec + 15);
  const wallSec = Number(process.hrtime.bigint() - started) / 1e9;
  const serverCpu = treeCpuSec(server.pid) - serverBefore;
  const wrkCpu = ownChildrenCpuSec() - wrkBefore;
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  const seconds = durationSec;
  const errors =
    Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0) +
    (/Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/
      .exec(out)
      ?.slice(1)
      .reduce((sum, n) => sum + Number(n), 0) ?? 0);
  return {
    requestsPerSec: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? requests / seconds),
    requests,
    errors,
    serverCpuUsPerRequest: requests > 0 ? (serverCpu * 1e6) / requests : Number.NaN,
    serverCpuShare: serverCpu / wallSec,
    wrkCpuShare: wrkCpu / wallSec,
  };
}

/**
 * wrk (the C load generator, Debian package `wrk`) as a LoadGenerator: a second
 * opinion on autocannon's figures, and the generator for cells where autocannon
 * is the limit. One wrk process per job, one thread, pinned to the client CPUs;
 * a generated Lua script sends the scenario's requests and prints wrk's own
 * latency histogram (µs) as JSON when it is done.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeScratchDir } from '../../servers/scratch-dir.ts';
import type { Latency } from '../results/schema.ts';
import { pinned } from '../os/processes.ts';
import { ownChildrenCpuSec } from '../os/sampler.ts';
import type { LoadGenerator, LoadGeneratorOptions, LoadJob, LoadRequest, LoadResult } from './types.ts';

/** Why wrk cannot be used here, or undefined when it can. */
export function wrkUnavailable(): string | undefined {
  const probe = spawnSync('wrk', ['-v'], { stdio: 'ignore' });
  return probe.error ? 'the wrk binary is not installed (apt-get install wrk)' : undefined;
}

/** What the Lua script's done() prints. */
interface WrkReport {
  durationUs: number;
  requests: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  mean: number;
  max: number;
  percentiles: [number, number][];
}

export class WrkLoadGenerator implements LoadGenerator {
  readonly name = 'wrk';
  constructor(private readonly options: LoadGeneratorOptions) {}

  async run(job: LoadJob): Promise<LoadResult> {
    if (job.rate) throw new Error('wrk is a closed-loop generator; it cannot run at a fixed rate');
    const dir = makeScratchDir('wrk');
    try {
      const script = join(dir, 'job.lua');
      writeFileSync(script, luaScript(job));
      // wrk takes whole seconds.
      const seconds = Math.max(1, Math.round(job.durationSec));
      const args = [
        '-t',
        '1',
        '-c',
        String(job.connections),
        '-d',
        `${seconds}s`,
        '--timeout',
        `${job.timeoutSec}s`,
        '-s',
        script,
        job.url,
      ];
      const cpuBefore = ownChildrenCpuSec();
      const stdout = await this.spawnWrk(args, seconds);
      // wrk was this process's child and has been waited for: its CPU is now in our children's total.
      const cpuSec = ownChildrenCpuSec() - cpuBefore;
      return toLoadResult(parseReport(stdout), cpuSec, job);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async close(): Promise<void> {}

  private spawnWrk(args: string[], seconds: number): Promise<string> {
    const [command, argv] = pinned(this.options.cpus, 'wrk', args);
    return new Promise((resolve, reject) => {
      const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid !== undefined) this.options.onProcess?.(child.pid);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 15) * 1000);
      child.on('error', reject);
      child.on('close', (code, sig) => {
        clearTimeout(timer);
        if (code === 0) resolve(out);
        else reject(new Error(`wrk exited with ${sig ?? `code ${code}`}: ${(err || out).trim().split('\n')[0] ?? ''}`));
      });
    });
  }
}

function parseReport(stdout: string): WrkReport {
  const line = stdout.split('\n').find((l) => l.startsWith('{"durationUs"'));
  if (!line) throw new Error(`wrk printed no report: ${stdout.trim().slice(0, 200)}`);
  return JSON.parse(line) as WrkReport;
}

function toLoadResult(r: WrkReport, cpuSec: number, job: LoadJob): LoadResult {
  const at = (p: number): number => r.percentiles.find(([q]) => q === p)?.[1] ?? 0;
  const latencyUs: Latency = {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: r.max,
    mean: r.mean,
    spectrum: r.percentiles,
  };
  const notes: string[] = [];
  if (job.requests.some((q) => q.group)) notes.push('wrk keeps one latency histogram: no per-group latency');
  if (r.requests > 0 && r.max === 0)
    notes.push(
      'wrk recorded no latency for these requests (it does not time pipelined batches): latency figures are missing, not zero',
    );
  return {
    durationSec: r.durationUs / 1e6,
    requests: r.requests,
    bytes: r.bytes,
    latencyUs,
    errors: r.connect + r.read + r.write,
    timeouts: r.timeout,
    // wrk counts answers with status > 399 only; a 1xx or 3xx under load would pass unseen.
    non2xx: r.status,
    cpuSec,
    notes,
  };
}

function luaString(text: string): string {
  return `"${[...Buffer.from(text)].map((b) => `\\${b}`).join('')}"`;
}

function luaRequest(r: LoadRequest, close: boolean, host: string): string {
  // Given a headers table, wrk.format sends only those: Host must be among them (HTTP/1.1 requires it).
  const headers = { Host: host, ...(r.headers ?? {}), ...(close ? { Connection: 'close' } : {}) };
  const table = Object.entries(headers)
    .map(([k, v]) => `[${luaString(k)}] = ${luaString(v)}`)
    .join(', ');
  return `wrk.format(${luaString(r.method)}, ${luaString(r.path)}, { ${table} }${r.body !== undefined ? `, ${luaString(r.body)}` : ''})`;
}

/** The Lua script for a job: cycle through the scenario's requests, print a JSON report at the end. */
export function luaScript(job: LoadJob): string {
  const requests = job.requests
    .map((r) => luaRequest(r, job.newConnectionPerRequest, new URL(job.url).host))
    .join(',\n  ');
  return `-- generated by bench/loadgen/wrk.ts
local requests = {
  ${requests}
}
local depth = ${job.pipelining}
local i = 0
request = function()
  -- wrk counts the requests in the returned buffer and expects that many answers.
  local batch = {}
  for k = 1, depth do
    i = i % #requests + 1
    batch[k] = requests[i]
  end
  return table.concat(batch)
end

done = function(summary, latency, _)
  local points = { 0 }
  for k = 1, 20 do
    if 2 ^ k > summary.requests * 2 then break end
    points[#points + 1] = 100 * (1 - 2 ^ -k)
  end
  for _, p in ipairs({ 90, 99, 99.9 }) do points[#points + 1] = p end
  table.sort(points)
  local parts = {}
  for _, p in ipairs(points) do parts[#parts + 1] = string.format("[%.6f,%d]", p, latency:percentile(p)) end
  parts[#parts + 1] = string.format("[100,%d]", latency.max)
  local e = summary.errors
  io.write(string.format('{"durationUs":%d,"requests":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"mean":%f,"max":%d,"percentiles":[%s]}\\n',
    summary.duration, summary.requests, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, latency.mean, latency.max, table.concat(parts, ",")))
end
`;
}

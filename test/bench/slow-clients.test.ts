/**
 * The slow-clients scenario: the slow senders really send slowly (timed and
 * counted in reads by a test server of our own), complete and check their
 * requests, stop by themselves at their deadline, and leave nothing running;
 * end to end, the real bench command shows the blocking model starving the fast
 * clients while the event loop keeps serving them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toTrial } from '../../bench/run/cell.ts';
import { cellFlags } from '../../bench/run/verdicts.ts';
import { slowRequestSpreadMs, splitConnections, SlowClientsLoadGenerator } from '../../bench/loadgen/slow-clients.ts';
import type { SlowClientsSpec } from '../../bench/loadgen/slow-clients.ts';
import type { LoadGenerator, LoadJob, LoadResult } from '../../bench/loadgen/types.ts';
import { liveProcesses, processTree } from '../../bench/os/procfs.ts';
import { readResults } from '../../bench/results/file.ts';
import { findScenario } from '../../bench/plan/scenarios.ts';
import { summarize } from '../../bench/results/stats.ts';

const spec: SlowClientsSpec = {
  share: 0.5,
  bytesPerWrite: 8,
  writeIntervalMs: 100,
  request: { method: 'GET', path: '/hello', headers: { 'User-Agent': 'server-models-slow-client' } },
};

/** One request as the test server saw it arrive. */
interface Arrival {
  reads: number;
  spreadMs: number;
}

/**
 * A server that times each request from its first byte to its blank line and
 * counts the reads it took; it answers like the application's /hello, or with
 * a 408 as soon as a request starts when `cut` is set.
 */
async function startServer(cut = false): Promise<{ server: Server; url: string; arrivals: Arrival[] }> {
  const arrivals: Arrival[] = [];
  const server = createServer((socket: Socket) => {
    let pending = '';
    let reads = 0;
    let firstAt = 0;
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      if (pending === '') firstAt = performance.now();
      pending += chunk.toString('latin1');
      reads++;
      if (cut) {
        socket.end('HTTP/1.1 408 Request Timeout\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
        return;
      }
      if (!pending.endsWith('\r\n\r\n')) return;
      arrivals.push({ reads, spreadMs: performance.now() - firstAt });
      pending = '';
      reads = 0;
      socket.write(
        'HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\nHello, World!',
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, url: `http://127.0.0.1:${address.port}`, arrivals };
}

/** A stand-in for the load generator: it holds the window open for `holdMs` and measures nothing. */
class HoldingLoadGenerator implements LoadGenerator {
  readonly name = 'holding';
  jobs: LoadJob[] = [];
  /** Slow-sender processes alive at the end of each hold. */
  sendersAtEnd: number[][] = [];
  constructor(private readonly holdMs: number) {}
  async run(job: LoadJob): Promise<LoadResult> {
    this.jobs.push(job);
    await new Promise((resolve) => setTimeout(resolve, this.holdMs));
    this.sendersAtEnd.push(liveSenders());
    const latencyUs = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    return {
      durationSec: this.holdMs / 1000,
      requests: 0,
      bytes: 0,
      latencyUs,
      errors: 0,
      timeouts: 0,
      non2xx: 0,
      cpuSec: 0,
      notes: [],
    };
  }
  async close(): Promise<void> {}
}

/** Live slow-sender processes under this test process. */
function liveSenders(): number[] {
  return liveProcesses(processTree(process.pid))
    .map((s) => s.pid)
    .filter((pid) => {
      try {
        return pid !== process.pid && readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('slow-sender');
      } catch {
        return false;
      }
    });
}

function job(url: string, connections: number, durationSec: number): LoadJob {
  return {
    url,
    connections,
    durationSec,
    pipelining: 1,
    newConnectionPerRequest: false,
    requests: [{ method: 'GET', path: '/hello' }],
    timeoutSec: 2,
  };
}

describe('slow senders', () => {
  let target: Awaited<ReturnType<typeof startServer>>;
  before(async () => {
    target = await startServer();
  });
  after(() => new Promise<void>((resolve) => target.server.close(() => resolve())));

  it("split a cell's connections with at least one slow and one fast", () => {
    assert.deepEqual(splitConnections(1, 0.25), { slow: 1, fast: 1 });
    assert.deepEqual(splitConnections(4, 0.25), { slow: 1, fast: 3 });
    assert.deepEqual(splitConnections(16, 0.25), { slow: 4, fast: 12 });
    assert.deepEqual(splitConnections(2, 0.5), { slow: 1, fast: 1 });
  });

  it('send each request a few bytes at a time over the configured spread, and complete it', async () => {
    const inner = new HoldingLoadGenerator(2500);
    const result = await new SlowClientsLoadGenerator(inner, spec, null).run(job(target.url, 4, 2.5));
    assert.equal(inner.jobs[0]?.connections, 2, 'the load generator gets the fast half');
    assert.equal(inner.sendersAtEnd[0]?.length, 1, 'one sender process runs beside the load generator');
    const figures = result.slowClients;
    assert.ok(figures, 'the result records the slow clients');
    assert.equal(figures.connections, 2);
    assert.equal(figures.failed + figures.errors, 0);
    assert.ok(figures.completed >= 2, `each slow connection completes requests (${figures.completed})`);

    const requestBytes = Buffer.byteLength(
      `GET /hello HTTP/1.1\r\nHost: ${new URL(target.url).host}\r\nUser-Agent: server-models-slow-client\r\n\r\n`,
    );
    const spreadMs = slowRequestSpreadMs(requestBytes, spec);
    assert.ok(spreadMs >= 1000, `the test's request takes at least a second to send (${spreadMs} ms)`);
    assert.ok(target.arrivals.length >= figures.completed, 'every completed request reached the server whole');
    for (const arrival of target.arrivals) {
      // Timers never fire early; allow a few ms for when the server's clock starts.
      assert.ok(
        arrival.spreadMs >= spreadMs - 20,
        `a request arrived over ${arrival.spreadMs.toFixed(0)} ms, under the ${spreadMs} ms spread`,
      );
      assert.ok(arrival.reads >= 5, `a request arrived in ${arrival.reads} reads, not several`);
    }
    assert.ok(figures.meanRequestMs >= spreadMs, `mean request time ${figures.meanRequestMs} ms`);
    assert.deepEqual(liveSenders(), [], 'the sender is gone');
  });

  it('stop and exit by themselves at their deadline if nobody stops them', async () => {
    // The job says 0.2 s; the senders allow 3 s of overrun and then go, while the window is held open longer.
    const inner = new HoldingLoadGenerator(4000);
    const result = await new SlowClientsLoadGenerator(inner, spec, null).run(job(target.url, 2, 0.2));
    assert.deepEqual(inner.sendersAtEnd[0], [], 'the sender had exited before the window ended');
    assert.equal(result.slowClients?.connections, 1, 'it still handed over its figures');
    assert.ok((result.slowClients?.completed ?? 0) >= 1);
  });

  it('count answers that cut a request short (a 408) as failed, and say so', async () => {
    const cutting = await startServer(true);
    try {
      const result = await new SlowClientsLoadGenerator(new HoldingLoadGenerator(600), spec, null).run(
        job(cutting.url, 2, 0.6),
      );
      assert.equal(result.slowClients?.completed, 0);
      assert.ok((result.slowClients?.failed ?? 0) >= 1, 'the early 408 is a failed slow request');
      assert.match(result.notes.join('\n'), /slow clients: \d+ wrong or non-2xx answers/);
    } finally {
      await new Promise<void>((resolve) => cutting.server.close(() => resolve()));
    }
    assert.deepEqual(liveSenders(), []);
  });

  it("the scenario sends its slow requests well within the servers' 10 s headers timeout", () => {
    const scenario = findScenario('slow-clients');
    assert.ok(scenario?.slowClients);
    const ms = Number(scenario.params.slowRequestMs);
    assert.ok(ms >= 1000 && ms <= 2000, `slow request spread ${ms} ms`);
  });
});

describe('starvation without pending requests to show', () => {
  // wrk cannot say what was pending, and autocannon's timeouts reconnect and reset the wait:
  // a blocking cell starved by slow clients for longer than the timeout answers nothing at all.
  const silent = (durationSec: number, timeouts: number) => {
    const latencyUs = { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0 };
    return toTrial(
      { durationSec, requests: 0, bytes: 0, latencyUs, errors: 0, timeouts, non2xx: 0, cpuSec: 0.01, notes: [] },
      0,
      0,
    );
  };

  it('flags a trial that got no answer at all as starved, whatever the load generator could tell', () => {
    for (const trial of [silent(2, 0), silent(10, 12)]) {
      const flags = cellFlags(summarize([trial]), null, undefined, [trial]);
      assert.equal(flags.starved, true);
      assert.match(flags.notes.join('\n'), /starved: 1 of 1 trials got no answer at all/);
    }
  });

  it('does not call a trial too short to tell starved', () => {
    const trial = silent(0.1, 0);
    assert.equal(cellFlags(summarize([trial]), null, undefined, [trial]).starved, false);
  });
});

/** PIDs of live processes whose environment carries the marker: anything a run left behind. */
function processesWithMarker(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        const live = readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0] !== 'Z';
        return live && readFileSync(`/proc/${name}/environ`, 'latin1').includes(`SLOW_CLIENTS_TEST_MARKER=${marker}`)
          ? [Number(name)]
          : [];
      } catch {
        return [];
      }
    });
}

describe('the slow-clients scenario end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slow-clients-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows the blocking model starving the fast clients while the event loop serves them', async () => {
    const marker = randomUUID();
    const out = join(dir, 'results.json');
    const args = [
      '--models',
      'event-loop,blocking',
      '--scenarios',
      'slow-clients',
      '--connections',
      '4',
      '--duration',
      '1',
      '--trials',
      '1',
      '--rounds',
      '1',
      '--warmup',
      '0',
      '--out',
      out,
      '--json',
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], {
        env: { ...process.env, SLOW_CLIENTS_TEST_MARKER: marker },
        stdio: 'ignore',
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      child.on('error', reject);
      child.on('close', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    assert.equal(code, 0);
    const results = readResults(out);
    const cell = (model: string) => {
      const found = results.cells.find((c) => c.model === model);
      assert.ok(found && found.status === 'ok', `${model}: ${found?.error}`);
      return found;
    };
    const eventLoop = cell('event-loop');
    const blocking = cell('blocking');
    for (const c of [eventLoop, blocking]) {
      assert.equal(c.connections, 4);
      assert.equal(c.trials[0]?.slowClients?.connections, 1, 'one of four connections is slow');
    }
    assert.ok(
      (eventLoop.trials[0]?.requests ?? 0) > 0 && !eventLoop.flags.starved,
      'the event loop serves the fast clients',
    );
    const elP99 = eventLoop.summary?.p99Us.median ?? 0;
    const blP99 = blocking.summary?.p99Us.median ?? 0;
    assert.ok(
      blocking.flags.starved === true || blP99 > 10 * elP99,
      `blocking: starved ${blocking.flags.starved}, p99 ${blP99} µs against the event loop's ${elP99} µs`,
    );
    assert.deepEqual(processesWithMarker(marker), [], 'nothing the run started is left');
  });
});

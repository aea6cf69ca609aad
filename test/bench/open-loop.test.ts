/**
 * The open-loop load generator (`--rate`), in its own process against tiny
 * node:http servers on 127.0.0.1: it keeps its schedule while the server
 * stalls, so the stall shows in its tail where a closed-loop measurement of the
 * same stall hides it; it reaches its target rate against a fast server; it
 * parses Content-Length and chunked answers and counts non-2xx; and the
 * command line rejects `--rate` where it cannot be honoured.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cellKey } from '../../bench/results/compare/metrics.ts';
import { defaultThresholds } from '../../bench/run/verdicts.ts';
import { OpenLoopLoadGenerator } from '../../bench/loadgen/open-loop.ts';
import { parseRates, targetRate } from '../../bench/loadgen/open-loop-rate.ts';
import type { LoadJob, LoadRequest } from '../../bench/loadgen/types.ts';
import { parseOptions, UsageError } from '../../bench/plan/options.ts';
import { readResults } from '../../bench/results/file.ts';
import { emptyResults, planCells, runPlan } from '../../bench/run/run.ts';
import { cannedTarget } from '../../bench/targets/canned.ts';
import type { Target } from '../../bench/targets/types.ts';
import type { Cell } from '../../bench/results/schema.ts';
import { findScenario } from '../../bench/plan/scenarios.ts';
import type { ScenarioDef } from '../../bench/plan/scenarios.ts';
import { syntheticCell } from '../helpers/synthetic-results.ts';

const pauseMs = 300;
/** A body that arrives in many reads, framed by Content-Length or by chunks. */
const big = Buffer.alloc(256 * 1024, 'x');

/**
 * A server that answers at once, except that when its `stallAt`-th request
 * arrives it holds every answer (that one's included) for `pauseMs`: a stall
 * of the whole server, as a blocked event loop would make, without burning CPU.
 */
function stallingServer(stallAt: number): Promise<{ url: string; server: Server }> {
  let seen = 0;
  let heldUntil = 0;
  const server = createServer((req, res) => {
    if (++seen === stallAt) heldUntil = Date.now() + pauseMs;
    const answer = () => {
      if (req.url === '/missing') {
        res.statusCode = 404;
        res.end('not here');
      } else if (req.url === '/big') {
        res.setHeader('Content-Length', big.length);
        res.end(big);
      } else if (req.url === '/big-chunked') {
        for (let at = 0; at < big.length; at += 16_384) res.write(big.subarray(at, at + 16_384));
        res.end();
      } else if (req.url === '/chunked') {
        // No Content-Length: node:http sends it chunked.
        res.write('chunk one, ');
        res.end('chunk two');
      } else {
        res.setHeader('Content-Length', 5);
        res.end('hello');
      }
    };
    const wait = heldUntil - Date.now();
    if (wait > 0) setTimeout(answer, wait);
    else answer();
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }),
    ),
  );
}

function job(url: string, rest: Partial<LoadJob> & { requests: LoadRequest[] }): LoadJob {
  return {
    url,
    connections: 4,
    durationSec: 1.5,
    pipelining: 1,
    newConnectionPerRequest: false,
    timeoutSec: 5,
    ...rest,
  };
}

describe('open-loop load generator', () => {
  let generator: OpenLoopLoadGenerator;
  const servers: Server[] = [];
  before(async () => {
    generator = await OpenLoopLoadGenerator.start({ cpus: null });
  });
  after(async () => {
    await generator.close();
    for (const s of servers) s.close();
  });
  const serve = async (stallAt: number) => {
    const s = await stallingServer(stallAt);
    servers.push(s.server);
    return s.url;
  };

  it('keeps its schedule through a stall and times from due times: the stall fills the open-loop tail, a closed loop hides it', async () => {
    const hello = [{ method: 'GET', path: '/hello' }];
    // 400 req/s for 1.5 s: the 300 ms stall holds back ~120 due requests, a fifth of the run.
    const open = await generator.run(job(await serve(100), { rate: 400, requests: hello }));
    const closed = await generator.run(job(await serve(100), { requests: hello }));
    for (const r of [open, closed]) assert.equal(r.errors + r.timeouts + r.non2xx, 0);
    // The closed loop did see the stall (its 4 waiting requests), so the two runs met the same server...
    assert.ok(closed.latencyUs.max >= (pauseMs - 60) * 1000, `closed max ${closed.latencyUs.max} µs`);
    // ...but only as a handful of samples: fewer than 1% are slow.
    assert.ok(closed.latencyUs.p99 < (pauseMs / 3) * 1000, `closed p99 ${closed.latencyUs.p99} µs`);
    // Open loop: the requests due during the stall waited for it, so over 10% are slow and the p99 is the stall.
    assert.ok(open.latencyUs.p90 >= (pauseMs / 3) * 1000, `open p90 ${open.latencyUs.p90} µs`);
    assert.ok(open.latencyUs.p99 >= (pauseMs - 60) * 1000, `open p99 ${open.latencyUs.p99} µs`);
    // And it kept the schedule: the stall did not lower the rate it offered.
    assert.ok(open.requests / open.durationSec > 0.8 * 400, `open achieved ${open.requests / open.durationSec} req/s`);
  });

  it('reaches its target rate against a fast server, parses Content-Length and chunked answers, counts non-2xx per group', async () => {
    const requests = [
      { method: 'GET', path: '/hello', group: 'cheap' },
      { method: 'GET', path: '/chunked', group: 'cheap' },
      { method: 'GET', path: '/missing', group: 'missing' },
    ];
    const rate = 300;
    const r = await generator.run(job(await serve(Infinity), { rate, durationSec: 1, requests }));
    const achieved = r.requests / r.durationSec;
    assert.ok(achieved > 0.85 * rate && achieved < 1.05 * rate, `achieved ${achieved} req/s of ${rate}`);
    assert.equal(r.errors, 0);
    assert.equal(r.timeouts, 0);
    const cheap = r.groups?.cheap?.requests ?? 0;
    const missing = r.groups?.missing?.requests ?? 0;
    assert.equal(cheap + missing, r.requests);
    assert.equal(r.non2xx, missing);
    // Requests go out in the cycle's order: one in three is the 404.
    assert.ok(Math.abs(missing - r.requests / 3) <= 2, `${missing} of ${r.requests}`);
    assert.ok(r.bytes > r.requests * 50);
  });
});

describe('open-loop client framing', () => {
  let generator: OpenLoopLoadGenerator;
  let server: Server;
  before(async () => {
    generator = await OpenLoopLoadGenerator.start({ cpus: null });
  });
  after(async () => {
    await generator.close();
    server?.close();
  });

  it('reads large bodies whole, by Content-Length and chunked, on kept-alive connections', async () => {
    const s = await stallingServer(Infinity);
    server = s.server;
    const requests = [
      { method: 'GET', path: '/big', group: 'length' },
      { method: 'GET', path: '/big-chunked', group: 'chunked' },
      { method: 'HEAD', path: '/big', group: 'head' },
    ];
    const r = await generator.run(job(s.url, { connections: 2, durationSec: 0.5, requests }));
    assert.equal(r.errors + r.timeouts + r.non2xx, 0);
    const count = (g: string) => r.groups?.[g]?.requests ?? 0;
    assert.ok(
      count('length') >= 3 && count('chunked') >= 3 && count('head') >= 3,
      JSON.stringify(r.groups && Object.keys(r.groups)),
    );
    // Every GET's body arrived (HEAD answers have none); the in-flight ones at the end add at most one body per connection.
    assert.ok(r.bytes >= (count('length') + count('chunked')) * big.length, `${r.bytes} bytes`);
    assert.ok(
      r.bytes < (count('length') + count('chunked') + 2 + count('head') / 100) * big.length + r.requests * 300,
      `${r.bytes} bytes`,
    );
  });
});

describe('--rate on the command line', () => {
  it('reads closed, fixed rates and shares, and picks the open-loop generator', () => {
    const o = parseOptions(['--rate', 'closed,70%,1500']);
    assert.equal(o.loadgen, 'open-loop');
    assert.deepEqual(o.loads, [{ mode: 'closed' }, { mode: 'open', share: 0.7 }, { mode: 'open', rps: 1500 }]);
    assert.equal(parseOptions([]).loads, null);
    // Closed loop alone is honoured by any generator.
    assert.equal(parseOptions(['--rate', 'closed', '--loadgen', 'wrk']).loadgen, 'wrk');
  });

  it('rejects rates that cannot be honoured, with one line', () => {
    for (const args of [
      ['--rate', 'fast'],
      ['--rate', '0'],
      ['--rate', '-5'],
      ['--rate', ''],
      ['--rate', '70%'],
      ['--rate', '0%,closed'],
      ['--rate', 'closed,500,500'],
      ['--loadgen', 'wrk', '--rate', '1000'],
      ['--loadgen', 'autocannon', '--rate', 'closed,70%'],
    ]) {
      assert.throws(
        () => parseOptions(args),
        (e: unknown) => e instanceof UsageError && !e.message.includes('\n'),
        args.join(' '),
      );
    }
  });

  it('bench exits 2 with one line for --rate with autocannon', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--loadgen', 'autocannon', '--rate', '500'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^bench: --rate needs the open-loop load generator/);
  });
});

describe('open and closed cells in one run', () => {
  const mixed = findScenario('mixed') as ScenarioDef;
  const target = (name: string): Target => ({ name }) as Target;

  it('plans every closed-loop cell of a level before the open-loop cells that take a share of it', () => {
    const cells = planCells([target('a'), target('b')], [mixed], [16], parseRates('closed,70%'));
    assert.deepEqual(
      cells.map((c) => `${c.target.name} ${c.load?.mode}`),
      ['a closed', 'b closed', 'a open', 'b open'],
    );
  });

  it('takes a share of the matching closed-loop cell, and says so when there is none', () => {
    const closed: Cell = {
      ...syntheticCell({ model: 'a', scenario: 'mixed', connections: 16, rps: 1000, trials: 1 }),
      loadMode: 'closed',
    };
    const [share] = parseRates('closed,70%').slice(1);
    assert.ok(share?.mode === 'open');
    assert.equal(
      Math.round(targetRate(share, [closed], { model: 'a', scenario: 'mixed', connections: 16 })),
      Math.round(0.7 * (closed.summary?.requestsPerSec.median ?? 0)),
    );
    assert.throws(
      () => targetRate(share, [closed], { model: 'a', scenario: 'mixed', connections: 4 }),
      /no measured closed-loop cell of a mixed c=4/,
    );
    assert.equal(targetRate({ mode: 'open', rps: 1234 }, [], { model: 'x', scenario: 'mixed', connections: 1 }), 1234);
  });
});

describe('a run with --rate closed,50%,1000%', () => {
  const dir = mkdtempSync(join(tmpdir(), 'open-loop-run-'));
  let generator: OpenLoopLoadGenerator;
  before(async () => {
    generator = await OpenLoopLoadGenerator.start({ cpus: null });
  });
  after(async () => {
    await generator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("records each cell's mode, target and achieved rate, and flags the rate the server could not keep up with", async () => {
    const hello = findScenario('hello') as ScenarioDef;
    const outPath = join(dir, 'results.json');
    const plan = {
      runId: 'open-loop-test',
      outPath,
      config: {
        profile: 'test',
        models: ['canned'],
        scenarios: ['hello'],
        connections: [4],
        durationSec: 0.5,
        warmupSec: 0,
        trials: 1,
        loadgen: generator.name,
        serverCpus: null,
        clientCpus: null,
      },
      cells: planCells(
        [cannedTarget({ cpus: null, readyTimeoutMs: 15_000, stopGraceMs: 3000 })],
        [hello],
        [4],
        parseRates('closed,50%,1000%'),
      ),
      scenarios: [hello],
      loadgen: generator,
      canned: null,
      calibration: { connections: 4, durationSec: 0.5, warmupSec: 0, timeoutSec: 2 },
      settings: {
        durationSec: 0.5,
        warmupSec: 0,
        trials: 1,
        timeoutSec: 2,
        validationTimeoutMs: 5000,
        sampleIntervalMs: 50,
        thresholds: defaultThresholds,
      },
    };
    await runPlan(plan, emptyResults(plan));
    // Read back through the schema, as every reader does.
    const [closed, half, tenfold] = readResults(outPath).cells;
    assert.ok(closed && half && tenfold);
    for (const c of [closed, half, tenfold]) assert.equal(c.status, 'ok', c.error);
    assert.equal(closed.loadMode, 'closed');
    assert.equal(closed.rate, undefined);
    const closedRps = closed.summary?.requestsPerSec.median ?? 0;
    assert.equal(half.loadMode, 'open');
    assert.equal(half.rate?.requested, '50%');
    assert.ok(Math.abs((half.rate?.targetRps ?? 0) - closedRps / 2) < 1e-6 * closedRps);
    assert.ok(
      (half.rate?.achievedRps ?? 0) > 0.8 * (half.rate?.targetRps ?? Infinity),
      `achieved ${half.rate?.achievedRps} of ${half.rate?.targetRps}`,
    );
    assert.ok(!half.flags.notes.some((n) => /could not keep up/.test(n)));
    // Ten times what it served closed loop: it falls behind, which is a finding, not an error.
    assert.ok((tenfold.rate?.achievedRps ?? Infinity) < 0.9 * (tenfold.rate?.targetRps ?? 0));
    assert.ok(
      tenfold.flags.notes.some((n) =>
        /^open loop at 1000%: \d+ of the \d+ req\/s targeted were answered; .* could not keep up/.test(n),
      ),
      tenfold.flags.notes.join('; '),
    );
    assert.equal(new Set([closed, half, tenfold].map(cellKey)).size, 3);
  });
});

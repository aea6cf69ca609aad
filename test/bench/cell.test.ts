/**
 * A cell end to end against the canned-response server (ours, so this test
 * does not depend on the models): a right answer is timed with every figure
 * recorded; a wrong one fails the cell loudly and nothing is timed. Then the
 * check before timing in its two layers: what HTTP and the scenario require of
 * any server, and what our application's table adds for servers that serve it.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCell } from '../../bench/run/cell.ts';
import type { CellSettings } from '../../bench/run/cell.ts';
import { AutocannonLoadGenerator } from '../../bench/loadgen/autocannon.ts';
import { defaultThresholds } from '../../bench/run/verdicts.ts';
import { findScenario } from '../../bench/plan/scenarios.ts';
import type { ScenarioDef } from '../../bench/plan/scenarios.ts';
import { cannedTarget } from '../../bench/targets/canned.ts';
import { Cell } from '../../bench/results/schema.ts';
import { loadGenerators } from '../../bench/loadgen/registry.ts';
import { wrkUnavailable } from '../../bench/loadgen/wrk.ts';
import { appExpectFor, expectFor } from '../../bench/check/expectations.ts';
import type { RawResponse } from '../../bench/http/client.ts';
import { scenarios } from '../../bench/plan/scenarios.ts';
import { contractOf, validateScenario } from '../../bench/check/validate.ts';
import { cpuDigest } from '../../servers/app/cpu.ts';
import { siteContents } from '../../servers/app/site.ts';
import { startServer, type TestServer } from '../cores/helpers.ts';

const settings: CellSettings = {
  durationSec: 0.5,
  warmupSec: 0.2,
  trials: 2,
  timeoutSec: 2,
  validationTimeoutMs: 5000,
  sampleIntervalMs: 50,
  thresholds: defaultThresholds,
};
const target = cannedTarget({ cpus: null, readyTimeoutMs: 15_000, stopGraceMs: 3000 });

describe('a cell', () => {
  let loadgen: AutocannonLoadGenerator;
  before(async () => {
    loadgen = await AutocannonLoadGenerator.start({ cpus: null });
  });
  after(() => loadgen.close());

  it('checks, warms up apart, times every trial and samples the server', async () => {
    const cell = await runCell({
      target,
      scenario: findScenario('hello')!,
      connections: 2,
      loadgen,
      settings,
      ceilingRps: null,
    });
    assert.equal(cell.status, 'ok', cell.error);
    Cell.parse(cell);
    assert.ok(cell.validation.ok && cell.validation.checked >= 2);
    assert.ok(cell.warmup && cell.warmup.durationSec < 0.45, 'the warm-up is recorded apart, with its own duration');
    assert.equal(cell.trials.length, 2);
    for (const t of cell.trials) {
      assert.ok(t.requests > 0 && t.requestsPerSec > 0 && t.bytesPerSec > 0);
      assert.ok(t.latencyUs.p50 > 0 && t.latencyUs.p50 <= t.latencyUs.p99 && t.latencyUs.p99 <= t.latencyUs.max);
      assert.ok(t.serverCpuSec > 0 && t.serverPeakRssBytes > 10e6 && t.loadgenCpuSec > 0);
      assert.equal(t.errors + t.timeouts + t.non2xx, 0);
    }
    const mean = (cell.trials[0]!.requestsPerSec + cell.trials[1]!.requestsPerSec) / 2;
    assert.ok(
      Math.abs((cell.summary?.requestsPerSec.median ?? 0) - mean) < 1e-6 * mean,
      'the median of two trials is their mean',
    );
  });

  it("questions a ceiling the cell passes, and marks it client-bound by the load generator's CPU", async () => {
    const cell = await runCell({
      target,
      scenario: findScenario('hello')!,
      connections: 2,
      loadgen,
      settings: { ...settings, trials: 1, warmupSec: 0, thresholds: { ceilingShare: 0.85, loadgenCpuShare: 0 } },
      ceilingRps: 1,
    });
    assert.equal(cell.flags.clientBound, true);
    assert.match(cell.flags.notes.join(), /the calibration ran low/);
  });

  it('fails a cell whose server answers wrongly, loudly, without timing it', async () => {
    const picky: ScenarioDef = {
      ...findScenario('hello')!,
      requests: findScenario('hello')!.requests.map((r) => ({
        ...r,
        check: (res) =>
          res.body.toString() === 'Goodbye'
            ? []
            : [`GET /hello: expected body "Goodbye", got ${JSON.stringify(res.body.toString())}`],
      })),
    };
    const cell = await runCell({ target, scenario: picky, connections: 2, loadgen, settings, ceilingRps: null });
    assert.equal(cell.status, 'failed');
    assert.match(cell.error ?? '', /wrong answers, not timed: GET \/hello: expected body "Goodbye"/);
    assert.equal(cell.validation.ok, false);
    assert.equal(cell.trials.length, 0);
    assert.equal(cell.warmup, null);
  });

  it('fails a cell whose server keeps the connection open after Connection: close', async () => {
    const cell = await runCell({
      target,
      scenario: findScenario('close')!,
      connections: 1,
      loadgen,
      settings: { ...settings, validationTimeoutMs: 1000 },
      ceilingRps: null,
    });
    assert.equal(cell.status, 'failed');
    assert.match(cell.error ?? '', /kept the connection open after Connection: close/);
    assert.equal(cell.trials.length, 0);
  });
});

describe('wrk as the load generator', { skip: wrkUnavailable() }, () => {
  it('times a cell with the same figures and measures its own CPU', async () => {
    const loadgen = await loadGenerators.wrk!.start({ cpus: null });
    const cell = await runCell({
      target,
      scenario: findScenario('hello')!,
      connections: 2,
      loadgen,
      settings: { ...settings, trials: 1, durationSec: 1, warmupSec: 0 },
      ceilingRps: null,
    });
    assert.equal(cell.status, 'ok', cell.error);
    assert.equal(cell.loadgen, 'wrk');
    const [t] = cell.trials;
    assert.ok(t && t.requests > 0 && t.latencyUs.p99 > 0 && t.latencyUs.p50 <= t.latencyUs.p99);
    assert.ok(t.loadgenCpuSec > 0 && t.loadgenCpuShare <= 1.2, `wrk CPU ${t.loadgenCpuSec}`);
    assert.equal(t.errors + t.timeouts + t.non2xx, 0);
  });
});

describe('the check before timing', () => {
  const hello = { method: 'GET', path: '/hello' };
  const answer = (body: string | Buffer, headers: Record<string, string> = {}, status = 200): RawResponse => {
    const bytes = Buffer.from(body);
    return { status, headers: { 'content-length': String(bytes.length), ...headers }, body: bytes };
  };
  const ours = { 'content-type': 'text/plain; charset=utf-8', 'x-served-by': '123/0' };

  it("HTTP layer: status, framing and the scenario's content, whoever the server is", () => {
    assert.deepEqual(expectFor(hello)(answer('Hello, World!')), []);
    assert.match(expectFor(hello)(answer('Hello, World?')).join(), /expected body "Hello, World!"/);
    assert.match(expectFor(hello)(answer('Hello, World!', {}, 404)).join(), /expected status 200, got 404/);
    assert.match(
      expectFor(hello)(answer('Hello, World!', { 'content-length': '20' })).join(),
      /Content-Length 20 but 13 body bytes/,
    );
    const cpu = { method: 'GET', path: '/cpu?units=7' };
    assert.deepEqual(expectFor(cpu)(answer(cpuDigest(7))), []);
    assert.match(expectFor(cpu)(answer(cpuDigest(6))).join(), /expected body/);
    const file = siteContents().get('1k')!;
    const static1k = { method: 'GET', path: '/static/1k' };
    assert.deepEqual(expectFor(static1k)(answer(file)), []);
    const flipped = Buffer.from(file);
    flipped[500]! ^= 1;
    assert.match(expectFor(static1k)(answer(flipped)).join(), /expected 1024 body bytes .* got 1024 that differ/);
    const echo = {
      method: 'POST',
      path: '/echo',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: 'abc',
    };
    assert.deepEqual(expectFor(echo)(answer('abc')), []);
    assert.match(expectFor(echo)(answer('abd')).join(), /expected body "abc"/);
    assert.match(expectFor({ method: 'GET', path: '/io?ms=20' })(answer('')).join(), /expected a body/);
  });

  it("application layer: the headers of the application's own table", () => {
    assert.deepEqual(appExpectFor(hello)(answer('Hello, World!', ours)), []);
    assert.match(
      appExpectFor(hello)(answer('Hello, World!', { 'content-type': 'text/plain' })).join(),
      /GET \/hello .*no x-served-by header/,
    );
    assert.match(
      appExpectFor(hello)(answer('Hello, World!', { ...ours, 'content-type': 'text/html' })).join(),
      /content-type/,
    );
    // /cpu?units=30 is not in the table: the route's row (/cpu?units=3) gives its header promises.
    assert.match(
      appExpectFor({ method: 'GET', path: '/cpu?units=30' })(
        answer('00000000', { 'content-type': 'text/html' }),
      ).join(),
      /content-type/,
    );
    const echo = {
      method: 'POST',
      path: '/echo',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: 'abc',
    };
    assert.deepEqual(appExpectFor(echo)(answer('abc', { 'content-type': 'application/octet-stream' })), []);
    assert.match(appExpectFor(echo)(answer('abc', { 'content-type': 'text/plain' })).join(), /request's Content-Type/);
  });

  it('holds our models and the peers that serve our application to its contract, others to HTTP only', () => {
    assert.equal(contractOf({ kind: 'model', name: 'event-loop' }), 'app');
    assert.equal(contractOf({ kind: 'peer', name: 'node-http' }), 'app');
    assert.equal(contractOf({ kind: 'peer', name: 'nginx' }), 'http');
    assert.equal(contractOf({ kind: 'peer', name: 'canned' }), 'http');
  });

  describe('against real servers', () => {
    let model: TestServer;
    before(async () => {
      model = await startServer('event-loop');
    });
    after(() => model.close());

    it('an application core passes every scenario under the application contract', async () => {
      // The database scenarios need a database (test/database/bench.test.ts runs them with one).
      for (const scenario of scenarios.filter((s) => !s.database)) {
        const validation = await validateScenario(model.url, scenario, 5000, 'app');
        assert.ok(validation.ok && validation.checked > 0, `${scenario.name}: ${validation.failures.join('; ')}`);
      }
    });

    it('fails a database scenario where the server has no database (its 503 is not the rows)', async () => {
      for (const scenario of scenarios.filter((s) => s.database)) {
        const validation = await validateScenario(model.url, scenario, 5000, 'app');
        assert.equal(validation.ok, false, scenario.name);
        assert.match(validation.failures.join('; '), /expected status 200, got 503/);
      }
    });

    it('a server that is not our application passes HTTP and fails the application contract', async () => {
      const running = await target.start();
      try {
        const scenario = findScenario('hello')!;
        const http = await validateScenario(running.url, scenario, 5000, 'http');
        assert.ok(http.ok, http.failures.join('; '));
        const app = await validateScenario(running.url, scenario, 5000, 'app');
        assert.equal(app.ok, false);
        assert.match(app.failures.join('; '), /x-served-by/);
      } finally {
        await running.stop();
      }
    });
  });
});

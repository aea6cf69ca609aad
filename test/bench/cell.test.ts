/**
 * A cell end to end against the canned-response server (ours, so this test
 * does not depend on the models): a right answer is timed with every figure
 * recorded; a wrong one fails the cell loudly and nothing is timed.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCell } from '../../bench/cell.ts';
import type { CellSettings } from '../../bench/cell.ts';
import { AutocannonLoadGenerator } from '../../bench/loadgen/autocannon.ts';
import { defaultThresholds } from '../../bench/flags.ts';
import { findScenario } from '../../bench/scenarios.ts';
import type { ScenarioDef } from '../../bench/scenarios.ts';
import { cannedTarget } from '../../bench/targets/canned.ts';
import { Cell } from '../../bench/results/schema.ts';
import { loadGenerators } from '../../bench/loadgen/registry.ts';
import { wrkUnavailable } from '../../bench/loadgen/wrk.ts';

const settings: CellSettings = { durationSec: 0.5, warmupSec: 0.2, trials: 2, timeoutSec: 2, validationTimeoutMs: 5000, sampleIntervalMs: 50, thresholds: defaultThresholds };
const target = cannedTarget({ cpus: null, readyTimeoutMs: 15_000, stopGraceMs: 3000 });

describe('a cell', () => {
  let loadgen: AutocannonLoadGenerator;
  before(async () => {
    loadgen = await AutocannonLoadGenerator.start({ cpus: null });
  });
  after(() => loadgen.close());

  it('checks, warms up apart, times every trial and samples the server', async () => {
    const cell = await runCell({ target, scenario: findScenario('hello')!, connections: 2, loadgen, settings, ceilingRps: null });
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
    assert.ok(Math.abs((cell.summary?.requestsPerSec.median ?? 0) - mean) < 1e-6 * mean, 'the median of two trials is their mean');
  });

  it('marks a cell client-bound against a ceiling it reaches', async () => {
    const cell = await runCell({ target, scenario: findScenario('hello')!, connections: 2, loadgen, settings: { ...settings, trials: 1, warmupSec: 0 }, ceilingRps: 1 });
    assert.equal(cell.flags.clientBound, true);
  });

  it('fails a cell whose server answers wrongly, loudly, without timing it', async () => {
    const picky: ScenarioDef = {
      ...findScenario('hello')!,
      requests: findScenario('hello')!.requests.map((r) => ({ ...r, check: (res) => (res.body.toString() === 'Goodbye' ? [] : [`GET /hello: expected body "Goodbye", got ${JSON.stringify(res.body.toString())}`]) })),
    };
    const cell = await runCell({ target, scenario: picky, connections: 2, loadgen, settings, ceilingRps: null });
    assert.equal(cell.status, 'failed');
    assert.match(cell.error ?? '', /wrong answers, not timed: GET \/hello: expected body "Goodbye"/);
    assert.equal(cell.validation.ok, false);
    assert.equal(cell.trials.length, 0);
    assert.equal(cell.warmup, null);
  });

  it('fails a cell whose server keeps the connection open after Connection: close', async () => {
    const cell = await runCell({ target, scenario: findScenario('close')!, connections: 1, loadgen, settings: { ...settings, validationTimeoutMs: 1000 }, ceilingRps: null });
    assert.equal(cell.status, 'failed');
    assert.match(cell.error ?? '', /kept the connection open after Connection: close/);
    assert.equal(cell.trials.length, 0);
  });
});

describe('wrk as the load generator', { skip: wrkUnavailable() }, () => {
  it('times a cell with the same figures and measures its own CPU', async () => {
    const loadgen = await loadGenerators.wrk!.start({ cpus: null });
    const cell = await runCell({ target, scenario: findScenario('hello')!, connections: 2, loadgen, settings: { ...settings, trials: 1, durationSec: 1, warmupSec: 0 }, ceilingRps: null });
    assert.equal(cell.status, 'ok', cell.error);
    assert.equal(cell.loadgen, 'wrk');
    const [t] = cell.trials;
    assert.ok(t && t.requests > 0 && t.latencyUs.p99 > 0 && t.latencyUs.p50 <= t.latencyUs.p99);
    assert.ok(t.loadgenCpuSec > 0 && t.loadgenCpuShare <= 1.2, `wrk CPU ${t.loadgenCpuSec}`);
    assert.equal(t.errors + t.timeouts + t.non2xx, 0);
  });
});

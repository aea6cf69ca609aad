/**
 * The quick profile's designed matrix and the placement rule for parallel scenarios: what the
 * flags do to a matrix, and when a parallel scenario's server is lent every CPU.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { everyCpu, maxSharedLoadgenShare, place, spreadDecision } from '../../bench/os/placement.ts';
import { matrixAfterFlags, parseOptions } from '../../bench/plan/options.ts';
import { plannedSeconds, profiles } from '../../bench/plan/profiles.ts';
import { findScenario } from '../../bench/plan/scenarios.ts';

describe('a designed matrix', () => {
  const matrix = [
    { scenario: 'hello', connections: [1, 64] },
    { scenario: 'cpu', connections: [8], models: ['event-loop', 'worker-pool'] },
  ];
  it('keeps its entries for the scenarios --scenarios names, and runs a scenario it lacks at its levels', () => {
    const out = matrixAfterFlags(matrix, { models: undefined, scenarios: ['cpu', 'json'], connections: undefined });
    assert.deepEqual(out, [matrix[1], { scenario: 'json', connections: [1, 8, 64] }]);
  });
  it('replaces every level with --connections and runs the models --models names in every scenario', () => {
    const out = matrixAfterFlags(matrix, { models: ['reuseport'], scenarios: undefined, connections: [4] });
    assert.deepEqual(out, [
      { scenario: 'hello', connections: [4], models: ['reuseport'] },
      { scenario: 'cpu', connections: [4], models: ['reuseport'] },
    ]);
  });
  it('runs a scenario asked for by name on every model where the matrix only samples them', () => {
    const sampled = [
      { scenario: 'db', connections: [16], models: ['event-loop'], sample: true as const },
      { scenario: 'io', connections: [64], models: ['blocking'] },
    ];
    const out = matrixAfterFlags(sampled, { models: undefined, scenarios: ['db', 'io'], connections: undefined });
    assert.deepEqual(out, [
      { scenario: 'db', connections: [16] },
      { scenario: 'io', connections: [64], models: ['blocking'] },
    ]);
    // The default run keeps the sample.
    assert.deepEqual(
      matrixAfterFlags(sampled, { models: undefined, scenarios: undefined, connections: undefined }),
      sampled,
    );
  });
  it('runs an entry once when the flags make two alike', () => {
    const twice = [...matrix, { scenario: 'cpu', connections: [16], models: ['prefork'] }];
    const out = matrixAfterFlags(twice, { models: ['blocking'], scenarios: ['cpu'], connections: [8] });
    assert.deepEqual(out, [{ scenario: 'cpu', connections: [8], models: ['blocking'] }]);
  });
  it('is the default run: three rounds per cell, every finding given its cells, about five minutes planned', () => {
    const options = parseOptions([]);
    assert.equal(options.profile, 'quick');
    assert.ok(options.matrix);
    assert.ok(options.rounds * options.trials >= 3);
    const at = (scenario: string, model: string) =>
      options
        .matrix!.filter((e) => e.scenario === scenario && (e.models?.includes(model) ?? true))
        .flatMap((e) => e.connections);
    assert.ok(at('io', 'blocking').includes(64) && at('io', 'event-loop').includes(64));
    assert.deepEqual(at('close', 'blocking'), [16, 64, 256]);
    for (const model of ['blocking', 'event-loop', 'worker-pool']) {
      assert.ok(at('hello', model).includes(64) && at('close', model).includes(64), model);
    }
    // Finding 7 and the data tier: db for a connection per request against a pool, fortunes's template.
    assert.ok(at('db', 'process-per-request').includes(2) && at('db', 'event-loop').includes(2));
    assert.ok(at('fortunes', 'event-loop').length > 0);
    // Five minutes, report included: runs planned at 306 s (0.9 s a cell outside its trials) took 5 min 05-08 s
    // with their report on a quiet machine; with servers that start in 0.1-0.3 s rather than 0.5-1 s, one took
    // 4 min 19 s (2026-12-01). Two calibrations a round: the run's autocannon and wrk.
    const cells = options.matrix!.reduce((n, e) => n + e.connections.length * (e.models?.length ?? 6), 0);
    assert.ok(plannedSeconds(cells, profiles.quick!, 2) <= 280, `${cells} cells`);
  });
  it('measures hello and close with wrk, unless the run names its generator', () => {
    const wrkCells = (argv: string[]) =>
      parseOptions(argv)
        .matrix!.filter((e) => e.loadgen === 'wrk')
        .flatMap((e) => e.connections.map((c) => `${e.scenario}@${c}`));
    assert.deepEqual(wrkCells([]), ['hello@1', 'hello@64', 'close@16', 'close@64', 'close@256', 'close@64']);
    assert.deepEqual(wrkCells(['--loadgen', 'autocannon']), []);
    assert.deepEqual(wrkCells(['--rate', 'closed,50%']), []);
  });
});

describe('the placement rule for parallel scenarios', () => {
  const base = place(undefined, undefined, 2);
  const cpu = findScenario('cpu')!.parallel!.serverCpuMsPerRequest;
  it('lends the server every CPU when the load generator would take a small share of one', () => {
    // 40k req/s at 100% of a core: 25 µs a request; cpu's best rate on 2 CPUs ≈ 740/s: ~2%.
    const d = spreadDecision(cpu, { requestsPerSec: 40_000, loadgenCpuShare: 1 }, base, 2);
    assert.equal(d.spread, true);
    assert.match(d.note, /every CPU/);
    assert.equal(everyCpu(base, 2).serverCpus, '0-1');
  });
  it('keeps the server on its own CPU when sharing would cost the load generator too much', () => {
    const d = spreadDecision(cpu, { requestsPerSec: 500, loadgenCpuShare: 1 }, base, 2);
    assert.equal(d.spread, false);
    assert.match(d.note, new RegExp(`over ${maxSharedLoadgenShare * 100}%`));
  });
  it('says parallelism is not measurable on one CPU, and never spreads without a calibration', () => {
    assert.match(spreadDecision(cpu, { requestsPerSec: 40_000, loadgenCpuShare: 1 }, base, 1).note, /not measurable/);
    assert.equal(spreadDecision(cpu, undefined, base, 2).spread, false);
  });
});

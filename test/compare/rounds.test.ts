/**
 * Normalising a run of rounds: each trial is divided by its own round's
 * calibration ceiling, so a machine that slowed down for one round (server and
 * load generator alike) does not read as a change of the model.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResults, compareDefaults } from '../../bench/results/compare/compare.ts';

const normalised = { ...compareDefaults, mode: 'normalised' as const };
import type { Calibration, Results } from '../../bench/results/schema.ts';
import { syntheticResults, syntheticTrial } from '../helpers/synthetic-results.ts';

/** A run of five rounds; `speeds[r]` is how fast the machine ran in round r + 1 (1 = normal). */
function roundsRun(speeds: number[], rps = 10_000): Results {
  const base = syntheticResults([{ model: 'event-loop', scenario: 'hello', connections: 8, rps }]);
  const cell = base.cells[0]!;
  // Server figures and the ceiling move together with the machine's speed; a little noise of their own.
  const wobble = [1, 1.01, 0.99, 1.005, 0.995];
  cell.trials = speeds.map((s, i) => ({
    ...syntheticTrial(rps * s * wobble[i]!, 2000 / s, i + 1),
    round: i + 1,
    serverCpuSec: (rps * s * wobble[i]! * 5) / 20000 / s,
  }));
  const calibration: Calibration[] = speeds.map((s, i) => ({
    loadgen: 'autocannon',
    connections: 32,
    requestsPerSec: 40_000 * s,
    loadgenCpuShare: 0.99,
    durationSec: 2,
    pipelining: 1,
    round: i + 1,
  }));
  return { ...base, calibration, config: { ...base.config, trials: 1, rounds: 5 } };
}

describe('compare on runs of rounds', () => {
  const steady = roundsRun([1, 1, 1, 1, 1]);
  // Two rounds of five on a machine 30% slower (a noisy neighbour for a minute).
  const slowedMachine = roundsRun([1, 0.7, 1, 0.7, 1]);

  it("normalised: each trial by its own round's ceiling, so the machine's slow rounds cancel", () => {
    const cmp = compareResults(steady, slowedMachine, normalised);
    const rps = cmp.cells[0]!.rows.find((r) => r.metric === 'rps')!;
    assert.equal(rps.verdict, 'unchanged', JSON.stringify(rps));
    assert.match(cmp.options.normalisedBy.current, /each round's calibration ceiling/);
    assert.equal(cmp.regressed, false);
  });

  it('absolute: the same slow rounds do move the figures (the test is not vacuous)', () => {
    const cmp = compareResults(steady, slowedMachine, { ...compareDefaults, mode: 'absolute' });
    const rps = cmp.cells[0]!.rows.find((r) => r.metric === 'rps')!;
    assert.ok(rps.interval && rps.interval[0] < -0.2, JSON.stringify(rps));
  });

  it('normalised: a model 30% slower in every round is still a regression', () => {
    const slowerModel = roundsRun([1, 1, 1, 1, 1], 7_000);
    const cmp = compareResults(steady, slowerModel, normalised);
    assert.equal(cmp.cells[0]!.rows.find((r) => r.metric === 'rps')!.verdict, 'regressed');
    assert.equal(cmp.regressed, true);
  });

  it("warns when the two runs' ceilings are far apart, and not otherwise", () => {
    assert.deepEqual(compareResults(steady, steady, compareDefaults).warnings, []);
    const slow = roundsRun([0.6, 0.6, 0.6, 0.6, 0.6]);
    const warnings = compareResults(steady, slow, compareDefaults).warnings;
    assert.ok(
      warnings.some((w) => /ceiling moved 40000 → 24000 req\/s \(-40%\)/.test(w)),
      warnings.join('\n'),
    );
  });

  it('uses only plain (unpipelined) calibrations for the ceiling', () => {
    const pipelined = {
      ...steady,
      calibration: [
        ...steady.calibration,
        {
          loadgen: 'autocannon',
          connections: 32,
          requestsPerSec: 400_000,
          loadgenCpuShare: 1,
          durationSec: 2,
          pipelining: 10,
          round: 1,
        },
      ],
    };
    const cmp = compareResults(pipelined, steady, normalised);
    assert.match(cmp.options.normalisedBy.baseline, /median 40000 req\/s/);
  });
});

describe('compare on a starved cell', () => {
  it('leaves p99 out (it covers only the connections the model happened to serve) and says so', () => {
    const spec = {
      model: 'blocking',
      scenario: 'hello',
      connections: 8,
      rps: 16_000,
      p99Us: 100,
      trials: 5,
      starved: true,
    };
    const base = syntheticResults([spec]);
    const luckier = syntheticResults([{ ...spec, p99Us: 400 }]);
    const cmp = compareResults(base, luckier, compareDefaults);
    const cell = cmp.cells[0]!;
    assert.deepEqual(
      cell.rows.map((r) => r.metric),
      ['rps', 'cpuPerReq', 'rss'],
    );
    assert.match(cell.note ?? '', /^p99 not compared: .*starved/);
    assert.equal(cmp.regressed, false);
    // Not starved: the same fourfold p99 is a regression.
    const plain = compareResults(
      syntheticResults([{ ...spec, starved: false }]),
      syntheticResults([{ ...spec, starved: false, p99Us: 400 }]),
      compareDefaults,
    );
    assert.equal(plain.cells[0]!.rows.find((r) => r.metric === 'p99')?.verdict, 'regressed');
  });
});

describe('peak RSS', () => {
  it('needs at least 25% to count, whatever --threshold says (it moved by up to 22% between A/A runs)', () => {
    const spec = { model: 'process-per-request', scenario: 'io', connections: 8, rps: 19, trials: 5, noise: 0.01 };
    const base = syntheticResults([spec]);
    const grown = (factor: number) => {
      const r = syntheticResults([spec]);
      for (const t of r.cells[0]!.trials) t.serverPeakRssBytes *= factor;
      return r;
    };
    const verdict = (factor: number) =>
      compareResults(base, grown(factor), compareDefaults).cells[0]!.rows.find((r) => r.metric === 'rss')!.verdict;
    assert.equal(verdict(1.2), 'unchanged');
    assert.equal(verdict(1.4), 'regressed');
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bootstrapChange, judge, seededRandom } from '../../bench/results/compare/verdict.ts';

// Exact per-trial figures with known answers.
const steady = [10000, 10150, 9900, 10050, 9950];
const thirtyPercentSlower = steady.map((v) => v * 0.7);

describe('judge (bootstrap of the ratio of medians + threshold)', () => {
  it('no change: the same trials are unchanged in both directions', () => {
    assert.equal(judge(steady, steady, 'bigger').verdict, 'unchanged');
    assert.equal(judge(steady, steady, 'smaller').verdict, 'unchanged');
    assert.equal(judge(steady, [10020, 9980, 10100, 9920, 10010], 'bigger').verdict, 'unchanged');
  });

  it('30% slower with 5 trials a side: requests/s regressed, with an interval that excludes zero', () => {
    const v = judge(steady, thirtyPercentSlower, 'bigger');
    assert.equal(v.verdict, 'regressed');
    assert.ok(Math.abs(v.change + 0.3) < 1e-9, `change ${v.change}`);
    assert.ok(v.interval && v.interval[1] < 0, `interval ${v.interval}`);
    assert.equal(v.thresholdOnly, false);
  });

  it('direction: higher latency is a regression, lower is an improvement', () => {
    assert.equal(
      judge(
        steady,
        steady.map((v) => v * 1.3),
        'smaller',
      ).verdict,
      'regressed',
    );
    assert.equal(
      judge(
        steady,
        steady.map((v) => v * 0.7),
        'smaller',
      ).verdict,
      'improved',
    );
    assert.equal(
      judge(
        steady,
        steady.map((v) => v * 1.3),
        'bigger',
      ).verdict,
      'improved',
    );
  });

  it('a significant change within the threshold is unchanged', () => {
    const v = judge(
      steady,
      steady.map((v) => v * 0.95),
      'bigger',
    );
    assert.ok(v.interval && v.interval[1] < 0, 'the 5% drop is significant');
    assert.equal(v.verdict, 'unchanged');
  });

  it('pure noise: a hand-picked overlapping pair is inconclusive, and seeded noise rarely reads as a regression', () => {
    // Medians differ by 13% but the trials interleave: beyond the threshold, not significant.
    const noisy = judge([6000, 14000, 9000, 12000, 7000], [5000, 13500, 7800, 11000, 6500], 'bigger');
    assert.equal(noisy.verdict, 'inconclusive');
    assert.ok((noisy.p ?? 0) > 0.05);
    // Same distribution both sides: ±5% scatter never crosses the 10% threshold significantly;
    // ±20% scatter may (measured ~1%), but no more often than the U test's one-sided alpha (5%).
    const random = seededRandom(42);
    const draw = (spread: number) => Array.from({ length: 5 }, () => 10000 * (1 - spread / 2 + spread * random()));
    const mild = Array.from({ length: 300 }, () => judge(draw(0.1), draw(0.1), 'bigger').verdict);
    assert.ok(
      mild.every((v) => v === 'unchanged'),
      'mild noise is unchanged',
    );
    const wild = Array.from({ length: 300 }, () => judge(draw(0.4), draw(0.4), 'bigger').verdict);
    const falseAlarms = wild.filter((v) => v === 'regressed').length;
    assert.ok(wild.filter((v) => v === 'inconclusive').length > 0, 'wild noise shows up as inconclusive');
    assert.ok(falseAlarms / wild.length <= 0.05, `false alarms ${falseAlarms}/300`);
  });

  it('one outlying trial: medians 20% apart but not a regression', () => {
    // Medians drop 20% but one current trial beats every baseline trial: neither test is sure.
    const v = judge([100, 101, 102, 103, 104], [80, 81, 82, 83, 200], 'bigger');
    assert.notEqual(v.verdict, 'regressed');
  });

  it('fewer than 3 trials a side: past the threshold is inconclusive, never regressed, and says so', () => {
    const slow = judge([10000, 10100], [7000, 7100], 'bigger');
    assert.equal(slow.thresholdOnly, true);
    assert.equal(slow.interval, null);
    assert.equal(slow.verdict, 'inconclusive');
    const small = judge([10000, 10100, 9900], [9500], 'bigger');
    assert.equal(small.thresholdOnly, true);
    assert.equal(small.verdict, 'unchanged');
  });

  it('threshold is honoured: 30% slower is unchanged with a 50% threshold', () => {
    assert.equal(judge(steady, thirtyPercentSlower, 'bigger', 0.5).verdict, 'unchanged');
  });

  it('is deterministic (seeded)', () => {
    const a = [1, 5, 3, 8, 2];
    const b = [2, 6, 4, 1, 9];
    assert.deepEqual(bootstrapChange(a, b), bootstrapChange(a, b));
  });
});

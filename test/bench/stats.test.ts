import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cpuPerKiloRequests, percentile, stat, summarize } from '../../bench/results/stats.ts';
import { syntheticTrial } from '../helpers/synthetic-results.ts';

describe('percentile', () => {
  it('interpolates on unsorted samples', () => {
    const samples = [5, 1, 4, 2, 3];
    assert.equal(percentile(samples, 0), 1);
    assert.equal(percentile(samples, 50), 3);
    assert.equal(percentile(samples, 100), 5);
  });
  it('finds the tail of 1..1000', () => {
    const samples = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    assert.ok(Math.abs(percentile(samples, 99) - 990) <= 1);
    assert.ok(Math.abs(percentile(samples, 99.9) - 999) <= 1);
  });
  it('is 0 for no samples and refuses a percentile outside 0-100', () => {
    assert.equal(percentile([], 50), 0);
    assert.throws(() => percentile([1], 101), RangeError);
  });
});

describe('stat', () => {
  it('gives median, range and MAD over median', () => {
    const s = stat([100, 90, 110, 500, 95]);
    assert.equal(s.median, 100);
    assert.equal(s.min, 90);
    assert.equal(s.max, 500);
    // deviations from 100: 0, 10, 10, 400, 5 -> MAD 10 -> 0.1: the odd trial does not dominate
    assert.equal(s.relSpread, 0.1);
  });
  it('has no spread for one trial and copes with none', () => {
    assert.deepEqual(stat([42]), { median: 42, min: 42, max: 42, relSpread: 0 });
    assert.deepEqual(stat([]), { median: 0, min: 0, max: 0, relSpread: 0 });
  });
  it('takes the middle two for an even count', () => {
    assert.equal(stat([1, 2, 3, 4]).median, 2.5);
  });
});

describe('summarize', () => {
  it('takes medians over trials, sums error counts, and keeps groups', () => {
    const trials = [
      syntheticTrial(1000, 4000, 1, { errors: 1 }),
      syntheticTrial(3000, 2000, 2, { timeouts: 2 }),
      syntheticTrial(2000, 3000, 3, { non2xx: 3 }),
    ];
    trials[0]!.groups = { cheap: { requests: 10, latencyUs: { ...trials[0]!.latencyUs, p99: 10 } } };
    trials[1]!.groups = { cheap: { requests: 10, latencyUs: { ...trials[1]!.latencyUs, p99: 30 } } };
    const s = summarize(trials);
    assert.ok(s);
    assert.equal(s.requestsPerSec.median, 2000);
    assert.equal(s.p99Us.median, 3000);
    assert.equal(s.errors, 1);
    assert.equal(s.timeouts, 2);
    assert.equal(s.non2xx, 3);
    assert.equal(s.groupP99Us?.cheap?.median, 20);
    assert.equal(s.cpuPerKiloReq.median, cpuPerKiloRequests(trials[2]!));
  });
  it('is null without trials', () => {
    assert.equal(summarize([]), null);
  });
  it('counts CPU per thousand requests, 0 for an idle trial', () => {
    assert.equal(cpuPerKiloRequests(syntheticTrial(1000, 1, 1, { requests: 2000, serverCpuSec: 0.5 })), 0.25);
    assert.equal(cpuPerKiloRequests(syntheticTrial(0, 1, 1, { requests: 0, serverCpuSec: 0.5 })), 0);
  });
});

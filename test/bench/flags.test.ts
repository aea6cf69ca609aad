import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cellFlags } from '../../bench/run/verdicts.ts';
import { summarize } from '../../bench/results/stats.ts';
import { syntheticTrial } from '../helpers/synthetic-results.ts';

const summaryOf = (rps: number, loadgenCpuShare: number, extra = {}) =>
  summarize([syntheticTrial(rps, 1000, 1, { loadgenCpuShare, ...extra })]);

describe('client-bound marking', () => {
  it('marks a cell at 85% of the calibrated ceiling', () => {
    const flags = cellFlags(summaryOf(42_500, 0.5), 50_000);
    assert.equal(flags.clientBound, true);
    assert.match(flags.notes[0] ?? '', /85% of the load generator's calibrated ceiling/);
  });
  it('questions the calibration, rather than calling the cell client-bound, above 110% of the ceiling', () => {
    const above = cellFlags(summaryOf(60_000, 0.5), 50_000);
    assert.equal(above.clientBound, false);
    assert.match(above.notes.join(), /120% of the load generator's calibrated ceiling .*the calibration ran low/);
    assert.equal(cellFlags(summaryOf(60_000, 0.95), 50_000).clientBound, true, 'its CPU still says so');
  });
  it('leaves a cell below the ceiling and below a full core alone', () => {
    const flags = cellFlags(summaryOf(30_000, 0.6), 50_000);
    assert.deepEqual(flags, { clientBound: false, errored: false, notes: [] });
  });
  it('marks a cell whose load generator used 90% of a core, even without a ceiling', () => {
    const flags = cellFlags(summaryOf(1000, 0.95), null);
    assert.equal(flags.clientBound, true);
    assert.match(flags.notes.join(), /95% of a core/);
  });
  it('marks errors, timeouts and non-2xx as errored, with the counts', () => {
    const flags = cellFlags(summaryOf(1000, 0.1, { timeouts: 4 }), 50_000);
    assert.equal(flags.errored, true);
    assert.equal(flags.clientBound, false);
    assert.match(flags.notes.join(), /0 errors, 4 timeouts, 0 non-2xx/);
  });
  it('honours other thresholds', () => {
    assert.equal(
      cellFlags(summaryOf(30_000, 0.5), 50_000, { ceilingShare: 0.5, loadgenCpuShare: 1 }).clientBound,
      true,
    );
  });
  it('marks requests left waiting far beyond the answered ones as starved', () => {
    const starved = syntheticTrial(100, 2000, 1, { unanswered: 3, oldestUnansweredUs: 900_000 });
    const fine = syntheticTrial(100, 2000, 2, { unanswered: 3, oldestUnansweredUs: 3000 });
    const flags = cellFlags(summarize([starved]), null, undefined, [starved]);
    assert.equal(flags.starved, true);
    assert.match(flags.notes.join(), /3 requests were still unanswered .* 0\.90 s/);
    assert.equal(cellFlags(summarize([fine]), null, undefined, [fine]).starved, false);
  });
  it('marks a cell whose median trial lost a quarter of a CPU or more to other processes as a busy machine', () => {
    const trials = [0.1, 0.4, 0.5].map((share, i) => syntheticTrial(1000, 1000, i, { otherCpuSec: share * 5 }));
    const flags = cellFlags(summarize(trials), null, undefined, trials);
    assert.equal(flags.busy, true);
    assert.match(flags.notes.join(), /busy machine: other processes used 40% of a CPU/);
    const quiet = [0.05, 0.3, 0.1].map((share, i) => syntheticTrial(1000, 1000, i, { otherCpuSec: share * 5 }));
    assert.equal(cellFlags(summarize(quiet), null, undefined, quiet).busy, undefined);
  });
  it('has nothing to flag without a summary', () => {
    assert.deepEqual(cellFlags(null, 1000), { clientBound: false, errored: false, notes: [] });
  });
});

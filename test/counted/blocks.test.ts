import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkPlan,
  type CountedBlock,
  differencePercent,
  differencePerRequest,
  median,
  perRequest,
  summarise,
} from '../../bench/counted/blocks.ts';

function block(index: number, instructions: number, discarded = false, requests = 1000): CountedBlock {
  return {
    index,
    requests,
    instructions,
    perRequest: perRequest(instructions, requests),
    wallMs: 1,
    processes: 1,
    discarded,
  };
}

describe('block arithmetic', () => {
  it('divides a block by its requests, and refuses an empty block', () => {
    assert.equal(perRequest(30_000_000, 1000), 30_000);
    assert.throws(() => perRequest(5, 0), /needs requests/);
  });

  it('takes the median of odd and even counts', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.throws(() => median([]), /no values/);
  });

  it('summarises the blocks kept: the discarded settling block does not count', () => {
    const blocks = [block(1, 65_600_000, true), block(2, 30_300_000), block(3, 30_000_000), block(4, 30_150_000)];
    const summary = summarise(blocks);
    assert.equal(summary.median, 30_150);
    assert.equal(summary.min, 30_000);
    assert.equal(summary.max, 30_300);
    assert.equal(summary.blocks, 3);
    assert.equal(summary.pooled, 30_150);
    assert.ok(Math.abs(summary.spreadPercent - (300 / 30_150) * 100) < 1e-9);
  });

  it('pools the kept blocks by their requests', () => {
    const blocks = [block(1, 1000, false, 10), block(2, 3000, false, 10), block(3, 99_999, true, 10)];
    assert.equal(summarise(blocks).pooled, 200);
  });

  it('refuses to summarise when every block was discarded', () => {
    assert.throws(() => summarise([block(1, 5, true)]), /every block was discarded/);
  });

  it('cancels what a block costs whatever its length: (I(2N) - I(N)) / N', () => {
    // 30,000 a request plus 400,000 for switching on and off, in both blocks.
    const single = { requests: 1000, instructions: 1000 * 30_000 + 400_000 };
    const double = { requests: 2000, instructions: 2000 * 30_000 + 400_000 };
    assert.equal(differencePerRequest(single, double), 30_000);
    assert.throws(() => differencePerRequest(double, single), /more requests/);
  });

  it('accepts only blocks of whole cycles, with one block left after the discarded', () => {
    checkPlan([2500, 2500, 5000], 10, 1);
    assert.throws(() => checkPlan([2500, 2505], 10, 0), /whole cycles of 10/);
    assert.throws(() => checkPlan([0], 1, 0), /whole cycles/);
    assert.throws(() => checkPlan([100], 1, 1), /none left/);
  });

  it('gives differences in percent of the reference', () => {
    assert.equal(differencePercent(30_000, 30_300), 1);
  });
});

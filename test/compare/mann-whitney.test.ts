import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pCurrentSmaller, uStatistic } from '../../bench/results/compare/mann-whitney.ts';

describe('Mann–Whitney U (one-sided, exact for small samples)', () => {
  it('complete separation gives the exact smallest p: 1/C(6,3) and 1/C(10,5)', () => {
    assert.equal(pCurrentSmaller([4, 5, 6], [1, 2, 3]), 1 / 20);
    assert.equal(pCurrentSmaller([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]), 1 / 252);
  });
  it('the wrong direction gives p = 1', () => {
    assert.equal(pCurrentSmaller([1, 2, 3], [4, 5, 6]), 1);
  });
  it('counts ties as half a pair', () => {
    assert.equal(uStatistic([1, 2], [1, 2]), 2);
  });
  it('interleaved samples are far from significant', () => {
    assert.ok(pCurrentSmaller([1, 3, 5, 7, 9], [2, 4, 6, 8, 10]) > 0.5);
  });
  it('large samples use the normal approximation, close to the exact value', () => {
    const base = Array.from({ length: 40 }, (_, i) => i);
    const p = pCurrentSmaller(
      base,
      base.map((x) => x - 8),
    );
    assert.ok(p > 0.001 && p < 0.05, `p ${p}`);
  });
});

/**
 * compare with the counted metric: instructions per request decide a cell when both runs have them,
 * beyond 1.5% and beyond the blocks' ranges; the timed rows stay as the second view and never fail
 * the comparison; BMF export carries the count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResults } from '../../bench/results/compare/compare.ts';
import { bmfEntries, renderTerminal } from '../../bench/results/compare/render.ts';
import type { Results } from '../../bench/results/schema.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

/** A run whose event-loop hello cell counted `blocks` instructions per request (and timed `rps`). */
function counted(blocks: number[], rps = 20_000, trials = true): Results {
  const results = syntheticResults([{ model: 'event-loop', scenario: 'hello', connections: 1, rps, noise: 0 }]);
  const cell = results.cells[0]!;
  const sorted = [...blocks].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  cell.summary!.instructionsPerRequest = { median, min: sorted[0]!, max: sorted.at(-1)!, relSpread: 0 };
  cell.counted = {
    blocks,
    blockRequests: 2000,
    warmupRequests: 20_000,
    method: 'test',
    valgrind: 'valgrind-3.19.0',
    valgrindFlags: [],
    node: 'v20.20.2',
  };
  if (!trials) cell.trials = [];
  return results;
}

const verdictOf = (a: Results, b: Results) => compareResults(a, b).cells[0]!.rows[0]!;

describe('the counted metric in compare', () => {
  const base = counted([32_000, 32_100, 32_050]);
  it('calls +3% a regression when the blocks agree within a fraction of that', () => {
    const row = verdictOf(base, counted([33_000, 33_020, 32_990]));
    assert.equal(row.metric, 'instructions');
    assert.equal(row.verdict, 'regressed');
    assert.equal(compareResults(base, counted([33_000, 33_020, 32_990])).regressed, true);
  });
  it('calls a run of the same code unchanged, and a change inside the blocks range too', () => {
    assert.equal(verdictOf(base, counted([32_020, 32_080, 31_990])).verdict, 'unchanged');
    // 1.6%: what two runs of the same code differed by at most on a busy machine (README, In CI).
    assert.equal(verdictOf(base, counted([32_560, 32_570, 32_565])).verdict, 'unchanged');
    assert.equal(verdictOf(counted([32_000, 33_000]), counted([32_900, 33_100])).verdict, 'unchanged');
  });
  it('calls a drop beyond the threshold an improvement', () => {
    assert.equal(verdictOf(base, counted([30_000, 30_010, 30_020])).verdict, 'improved');
  });
  it('keeps the timed rows as the second view: a slower clock alone does not fail the comparison', () => {
    const comparison = compareResults(base, counted([32_010, 32_060, 32_040], 10_000));
    const rows = comparison.cells[0]!.rows;
    assert.equal(rows[0]!.metric, 'instructions');
    assert.ok(rows.slice(1).every((r) => r.advisory));
    assert.equal(comparison.regressed, false);
    assert.match(renderTerminal(comparison), /timed: second view/);
  });
  it('compares cells that were only counted, with no timed trials', () => {
    const comparison = compareResults(counted([32_000], 1, false), counted([33_000], 1, false));
    assert.deepEqual(
      comparison.cells[0]!.rows.map((r) => [r.metric, r.verdict]),
      [['instructions', 'regressed']],
    );
  });
  it('exports the count in Bencher Metric Format', () => {
    const bmf = bmfEntries(compareResults(base, counted([32_700, 32_720, 32_690])));
    assert.equal(bmf['event-loop:hello:1']?.instructions?.value, 32_700);
  });
});

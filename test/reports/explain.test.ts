import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainScenario } from '../../reports/explain.ts';
import { renderSummaryMd } from '../../reports/summary-md.ts';
import { charts } from '../../reports/charts/index.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

// The blocking model under keep-alive: one connection served fast, the others never.
// Its p99 (of answered requests only) is the lowest of all, and must not be called that.
const results = syntheticResults([
  { model: 'blocking', scenario: 'hello', connections: 32, rps: 11000, p99Us: 200, starved: true, noise: 0 },
  { model: 'event-loop', scenario: 'hello', connections: 32, rps: 22000, p99Us: 5000, noise: 0 },
  { model: 'worker-pool', scenario: 'hello', connections: 32, rps: 5000, p99Us: 26000, noise: 0 },
  { model: 'process-per-request', scenario: 'hello', connections: 32, rps: 0, p99Us: 0, starved: true, noise: 0 },
]);

describe('explainScenario', () => {
  const text = explainScenario(results, 'hello').join(' ');
  it('names the winner and the slowest model that answered, with the factor', () => {
    assert.match(text, /event-loop serves the most, 22,000 requests\/s/);
    assert.match(text, /worker-pool serves 5,000 requests\/s, 4\.40× less/);
  });
  it("never calls a starved cell's latency the lowest", () => {
    assert.match(text, /p99 latency ranges from 5\.00 ms \(event-loop\) to 26\.0 ms \(worker-pool\)/);
    assert.match(text, /Starved: blocking left connections waiting unanswered/);
  });
  it('says which model answered nothing', () => {
    assert.match(text, /process-per-request answered no request within a trial/);
  });
});

describe('summary.md', () => {
  it('flags starved cells in the table', () => {
    const md = renderSummaryMd(results, charts, []);
    const row = md.split('\n').find((l) => l.startsWith('| hello | blocking |'));
    assert.ok(row?.endsWith('| starved |'), row);
  });
});

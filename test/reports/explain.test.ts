import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { explainScenario } from '../../reports/explain.ts';
import { modelGlance, scenarioGlance } from '../../reports/glance.ts';
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
  });
  it('leaves the flags to the per-model lines, said once', () => {
    assert.doesNotMatch(text, /starved|answered no/i);
  });
});

describe('the report at a glance', () => {
  const models = modelGlance(results);
  const line = (model: string) => models.find((l) => l.startsWith(`${model} `)) ?? '';
  it('says per model where it starved and where it answered nothing, once', () => {
    assert.match(line('blocking'), /left connections waiting \(starved\) in hello@32/);
    assert.match(line('process-per-request'), /answered nothing in hello@32/);
    assert.equal(models.join(' ').match(/hello@32/g)?.length, 2);
  });
  it('names a scenario winner among the models that answered every connection, with the factor', () => {
    assert.deepEqual(scenarioGlance(results), [
      'hello (32 connections): event-loop first, 22,000 req/s, 4.40× worker-pool; it multiplexes every connection on one thread.',
    ]);
    assert.match(line('event-loop'), /first in hello/);
    assert.match(line('worker-pool'), /last in hello/);
  });
});

describe('summary.md', () => {
  it('flags starved cells in the table', () => {
    const md = renderSummaryMd(results, charts, []);
    const row = md.split('\n').find((l) => l.startsWith('| hello | blocking |'));
    assert.ok(row?.endsWith('| starved |'), row);
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cellLine, cellMarks, formatUs, peerRatioLines, resultsTable } from '../../bench/run/display.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

describe('terminal output', () => {
  const results = syntheticResults([
    { model: 'event-loop', scenario: 'hello', connections: 16, rps: 30_000, p99Us: 2500, clientBound: true, noise: 0 },
    { model: 'node-http', kind: 'peer', scenario: 'hello', connections: 16, rps: 25_000, p99Us: 3000, noise: 0 },
    { model: 'blocking', scenario: 'hello', connections: 16, rps: 8000, errors: 3, noise: 0 },
    { model: 'worker-pool', scenario: 'hello', connections: 16, rps: 0, status: 'failed' },
  ]);

  it('shows every model of every row with its median figures and flags', () => {
    const table = resultsTable(results);
    for (const model of ['event-loop', 'node-http', 'blocking', 'worker-pool']) assert.match(table, new RegExp(model));
    const row = table.split('\n').find((l) => l.startsWith('hello')) ?? '';
    assert.match(row, /30\.0k ±0% 2\.5 ms C/);
    assert.match(row, /25\.0k ±0% 3\.0 ms/);
    assert.match(row, /8000 ±0% 2\.0 ms E/);
    assert.match(row, /F/);
    assert.match(table, /C = client-bound/);
  });

  it('says in words that a cell answered nothing, never a bare 0.0', () => {
    const silent = syntheticResults([
      { model: 'process-per-request', scenario: 'hello', connections: 64, rps: 0, p99Us: 0, starved: true, noise: 0 },
    ]);
    assert.match(resultsTable(silent), /no answer W/);
    assert.doesNotMatch(resultsTable(silent), /0\.0 /);
    assert.match(cellLine(silent.cells[0]!), /answered no request in any trial/);
  });

  it('says why a cell failed on its line', () => {
    const failed = results.cells.find((c) => c.model === 'worker-pool')!;
    assert.equal(cellMarks(failed), 'F');
    assert.match(cellLine(failed), /failed: synthetic failure/);
  });

  it('gives the event-loop / node-http ratio and says when it is client-bound', () => {
    const [line] = peerRatioLines(results);
    assert.match(line ?? '', /event-loop \/ node-http on hello c=16: 1\.20 .*client-bound/);
  });

  it('formats latency in the unit that reads best', () => {
    assert.equal(formatUs(850), '850 µs');
    assert.equal(formatUs(2500), '2.5 ms');
    assert.equal(formatUs(2_500_000), '2.50 s');
  });
});

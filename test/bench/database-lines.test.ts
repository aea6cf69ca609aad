/**
 * The database figures of a run: summarize turns each trial's dbCpuSec, dbPeakRssBytes and
 * dbConnections into per-1,000-request and peak figures, and the cell's line and the closing
 * table show them (and the cache of cached-queries) for database cells only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../bench/results/stats.ts';
import { databaseLines, databaseParts } from '../../bench/run/database-lines.ts';
import { cellLine } from '../../bench/run/display.ts';
import { syntheticResults, syntheticTrial } from '../helpers/synthetic-results.ts';

describe('database figures', () => {
  // 1,000 req/s for 5 s: 5,000 requests a trial; 2.5 s of database CPU = 0.5 s per 1,000 requests.
  const trials = [1, 2, 3].map((seed) =>
    syntheticTrial(1000, 2000, seed, { dbCpuSec: 2.5, dbPeakRssBytes: 150 * 2 ** 20, dbConnections: 6 + seed }),
  );

  it('summarizes the database server per 1,000 requests, its peak RSS and the connections held', () => {
    const s = summarize(trials);
    assert.equal(s?.dbCpuPerKiloReq?.median, 0.5);
    assert.equal(s?.dbPeakRssBytes?.median, 150 * 2 ** 20);
    assert.equal(s?.dbConnections?.max, 9);
  });

  it('leaves them out of a cell whose trials did not ask the database', () => {
    const s = summarize([syntheticTrial(1000, 2000, 1)]);
    assert.equal(s?.dbCpuPerKiloReq, undefined);
    assert.equal(s?.dbConnections, undefined);
    assert.deepEqual(databaseParts(s!), []);
  });

  it("puts the database's CPU and connections on the cell's line, and a table row per database cell", () => {
    const results = syntheticResults([
      { model: 'event-loop', scenario: 'db', connections: 16, rps: 1000, noise: 0 },
      { model: 'event-loop', scenario: 'cached-queries', connections: 16, rps: 1000, noise: 0 },
      { model: 'event-loop', scenario: 'hello', connections: 16, rps: 20_000, noise: 0 },
    ]);
    for (const cell of results.cells.filter((c) => c.scenario !== 'hello')) {
      cell.trials = trials;
      cell.summary = summarize(trials);
    }
    const cached = results.cells.find((c) => c.scenario === 'cached-queries')!;
    cached.cache = 'in-process';
    assert.match(cellLine(results.cells[0]!, 200), /db cpu 500\.0 ms\/kreq.*9 db conns/);
    const lines = databaseLines(results);
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[1]!, /^ {2}db c=16 event-loop .*database {3}500\.0 {2}rss 150 MiB {2}conns 9$/);
    assert.match(lines[2]!, /cache in-process$/);
    assert.deepEqual(
      databaseLines(syntheticResults([{ model: 'blocking', scenario: 'hello', connections: 1, rps: 100 }])),
      [],
    );
  });
});

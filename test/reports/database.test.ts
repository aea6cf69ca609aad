/**
 * The report's database-tier table (reports/database.ts): a row per database cell with the
 * server's and the database's CPU per 1,000 requests, the connections held and the cache; nothing
 * for a run without database scenarios.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { summarize } from '../../bench/results/stats.ts';
import { databaseSection } from '../../reports/database.ts';
import { syntheticResults, syntheticTrial } from '../helpers/synthetic-results.ts';

describe('the database section of the report', () => {
  it('shows each database cell beside the database server, and the cache of cached-queries', () => {
    const results = syntheticResults([
      { model: 'event-loop', scenario: 'db', connections: 16, rps: 1000, noise: 0 },
      { model: 'blocking', scenario: 'cached-queries', connections: 16, rps: 100, noise: 0 },
      { model: 'event-loop', scenario: 'hello', connections: 16, rps: 20_000, noise: 0 },
    ]);
    results.config.extra = {
      database: { kind: 'embedded', url: 'postgres://postgres:***@127.0.0.1:1/postgres', poolSize: 8 },
    };
    for (const cell of results.cells.filter((c) => c.scenario !== 'hello')) {
      cell.trials = [1, 2, 3].map((seed) => syntheticTrial(1000, 2000, seed, { dbCpuSec: 1, dbConnections: 8 }));
      cell.summary = summarize(cell.trials);
    }
    results.cells[1]!.cache = 'in-process';
    const html = databaseSection(results);
    assert.match(html, /<h2>The database tier<\/h2>/);
    assert.match(html, /embedded \(postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/postgres\), 8 connections per pool/);
    const rows = html.match(/<tr><td>/g) ?? [];
    assert.equal(rows.length, 2, 'hello has no row');
    // 1 s of database CPU over 5,000 requests: 0.2 s per 1,000, shown in ms.
    assert.match(
      html,
      /<td>db<\/td><td class="n">16<\/td><td>event-loop<\/td><td class="n">1000<\/td><td class="n">[\d.]+<\/td><td class="n">200\.0<\/td>/,
    );
    assert.match(html, /<td>in-process<\/td><\/tr>/);
  });

  it('is empty for a run without database scenarios', () => {
    assert.equal(
      databaseSection(syntheticResults([{ model: 'event-loop', scenario: 'hello', connections: 1, rps: 10 }])),
      '',
    );
  });
});

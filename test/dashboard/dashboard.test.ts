import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import type { Results } from '../../bench/results/schema.ts';
import { buildHistory } from '../../reports/dashboard/history.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

const cells = ['event-loop', 'worker-pool', 'blocking'].flatMap((model, i) =>
  ['hello', 'io'].flatMap((scenario) =>
    [1, 16].map((connections) => ({
      model,
      scenario,
      connections,
      rps: 5000 * (i + 1),
      p99Us: 2000 * (i + 1),
      trials: 5,
    })),
  ),
);

/** Run n: its own commit and time; run 2 (the third) has worker-pool 30% slower. */
function run(n: number): Results {
  const results = syntheticResults(cells, {
    runId: `run-${n}`,
    startedAt: `2026-11-2${n}T10:00:00.000Z`,
    git: {
      commit: `${n}abcdef0123456789abcdef0123456789abcdef`.slice(0, 40),
      dirty: false,
      commitTime: `2026-11-2${n}T09:00:00.000Z`,
    },
  });
  if (n === 2) {
    for (const cell of results.cells.filter((c) => c.model === 'worker-pool')) {
      for (const t of cell.trials) t.requestsPerSec *= 0.7;
    }
  }
  return results;
}

let dir = '';
let browser: Browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
  // Written out of commit order, and one in the harness's results/<run-id>/results.json layout with its report.
  for (const n of [3, 0, 2]) writeFileSync(join(dir, `r${n}.json`), JSON.stringify(run(n)));
  mkdirSync(join(dir, 'run-4'));
  writeFileSync(join(dir, 'run-4', 'results.json'), JSON.stringify(run(4)));
  writeFileSync(join(dir, 'run-4', 'report.html'), '<!doctype html><title>report</title>');
  writeFileSync(join(dir, 'broken.json'), '{ not json');
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ schema: 'someone-else', version: 1 }));
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-quic',
      '--disable-sync',
    ],
  });
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard', () => {
  it('orders runs by commit time, skips broken files, flags the regression between consecutive runs', () => {
    const history = buildHistory(dir);
    assert.deepEqual(
      history.runs.map((r) => r.results.runId),
      ['run-0', 'run-2', 'run-3', 'run-4'],
    );
    assert.equal(history.skipped.length, 2);
    const flagged = history.points.filter((p) => p.rpsRegressed);
    assert.ok(flagged.length > 0);
    assert.ok(
      flagged.every((p) => p.model === 'worker-pool' && p.runId === 'run-2'),
      JSON.stringify(flagged.map((p) => [p.model, p.runId])),
    );
    // Recovering from the slowdown is an improvement, not a regression.
    assert.ok(!history.points.some((p) => p.runId === 'run-3' && p.rpsRegressed));
  });

  it('gives each run its own x position, two runs of one commit included', () => {
    const same = mkdtempSync(join(tmpdir(), 'dashboard-same-'));
    try {
      for (const [i, startedAt] of ['2026-11-20T10:00:00.000Z', '2026-11-20T10:40:00.000Z'].entries())
        writeFileSync(join(same, `r${i}.json`), JSON.stringify({ ...run(0), runId: `same-${i}`, startedAt }));
      const labels = buildHistory(same).runs.map((r) => r.label);
      assert.deepEqual(labels, ['0abcdef 11-20 10:00', '0abcdef 11-20 10:40']);
    } finally {
      rmSync(same, { recursive: true, force: true });
    }
  });

  it('renders from file:// in chromium: every chart drawn, no console errors or warnings, an overview first, latest report linked', async () => {
    const out = join(dir, 'site');
    const built = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/dashboard.ts', dir, '--out', out], {
      encoding: 'utf8',
    });
    assert.equal(built.status, 0, built.stderr);
    assert.equal(
      built.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('skipped: ')).length,
      2,
      built.stderr,
    );
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors: string[] = [];
    page.on('console', (m) => {
      // Warnings too: vega's "Infinite extent" ones came from a layer left empty by a filter.
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Nothing may come from the network: the page must be self-contained.
    await page.route(/^(?!file:)/, (route) => {
      errors.push(`network request: ${route.request().url()}`);
      return route.abort();
    });
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    await page.waitForSelector('body[data-rendered]', { timeout: 20000 });
    assert.equal(await page.getAttribute('body', 'data-rendered'), 'true');
    const charts = await page.$$eval('.chart', (nodes) =>
      nodes.map((n) => ({
        id: n.id,
        marks: n.querySelectorAll('svg path, svg circle').length,
        width: n.getBoundingClientRect().width,
      })),
    );
    assert.equal(charts.length, 6, 'three models × two scenarios');
    for (const c of charts) assert.ok(c.marks > 10 && c.width > 300, `${c.id} is empty: ${JSON.stringify(c)}`);
    assert.equal(await page.$eval('a[href$="report.html"]', (a) => a.getAttribute('href')), '../run-4/report.html');
    assert.match((await page.textContent('body')) ?? '', /2 file\(s\) skipped/);
    // The overview comes before the charts: a row per scenario and model, worker-pool's recovery said.
    const overview = await page.$$eval('table.overview tbody tr', (rows) =>
      rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')),
    );
    assert.equal(overview.length, 6);
    const pool = overview.find((r) => r[0] === 'hello' && r[1] === 'worker-pool');
    assert.deepEqual([pool?.[2], pool?.[7]], ['16', '2'], JSON.stringify(pool));
    const overviewFirst = await page.evaluate(
      "Boolean(document.querySelector('table.overview').compareDocumentPosition(document.querySelector('section')) & Node.DOCUMENT_POSITION_FOLLOWING)",
    );
    assert.equal(overviewFirst, true, 'the overview is above the charts');
    await page
      .locator('section')
      .filter({ hasText: 'hello' })
      .first()
      .screenshot({ path: join(tmpdir(), 'dashboard-hello.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });
});

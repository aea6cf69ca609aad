import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { writeResults } from '../../bench/results/file.ts';
import { chartsFor } from '../../reports/charts/index.ts';
import { colourScale } from '../../reports/palette.ts';
import { renderReport } from '../../reports/render.ts';
import { specToSvg } from '../../reports/render-svg.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

const dir = mkdtempSync(join(tmpdir(), 'report-test-'));
const resultsPath = join(dir, 'results.json');
const results = syntheticResults();
// One load mode: the open-vs-closed chart is skipped (test/reports/open-vs-closed.test.ts draws it).
const charts = chartsFor(results);
after(() => rmSync(dir, { recursive: true, force: true }));

describe('charts', () => {
  const { domain, range } = colourScale(results.cells);
  it('cover several models with distinct fixed colours', () => {
    assert.ok(domain.length >= 3);
    assert.equal(new Set(range).size, range.length);
  });
  for (const chart of charts) {
    it(`${chart.name} compiles and renders one coloured mark set per model`, async () => {
      const svg = await specToSvg(chart.spec(results));
      assert.match(svg, /^<svg/);
      if (chart.name === 'summary-heatmap') {
        for (const model of domain) assert.ok(svg.includes(`>${model}<`), `${model} row label`);
        return;
      }
      const models = new Set(
        results.cells
          .filter(
            (c) =>
              c.status === 'ok' &&
              (chart.name !== 'spectrum' || c.connections === Math.max(...results.cells.map((x) => x.connections))),
          )
          .map((c) => c.model),
      );
      for (const [i, model] of domain.entries()) {
        const used = new RegExp(`(stroke|fill)="${range[i]}"`).test(
          svg.replace(/<g class="mark-group role-legend[\s\S]*$/, ''),
        );
        assert.equal(used, models.has(model), `${model} drawn in its colour iff present`);
      }
    });
  }
});

describe('npm run report', () => {
  let out: Awaited<ReturnType<typeof renderReport>>;
  before(async () => {
    writeResults(resultsPath, results);
    out = await renderReport(resultsPath, join(dir, 'out'));
  });

  it('writes valid PNGs for every chart', () => {
    for (const chart of charts) {
      const png = readFileSync(join(out.chartsDir, `${chart.name}.png`));
      assert.deepEqual([...png.subarray(0, 8)], [137, 80, 78, 71, 13, 10, 26, 10]);
      assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
      assert.ok(png.readUInt32BE(16) > 200 && png.readUInt32BE(20) > 100);
    }
  });

  it('summary.md has the table, sentences and relative PNG links', () => {
    const md = readFileSync(out.markdown, 'utf8');
    assert.match(md, /\| scenario \| model \|/);
    for (const chart of charts) assert.ok(md.includes(`(charts/${chart.name}.png)`));
    for (const s of results.scenarios) assert.ok(md.includes(`**${s.name}**: At `));
  });

  it('report.html renders every chart in chromium from file:// with no errors and no network', async () => {
    const browser = await chromium.launch({
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
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${out.html}`);
      for (const chart of charts)
        await page.waitForSelector(`#chart-${chart.name}[data-rendered="1"] svg .mark-group`, { timeout: 15_000 });
      const marks = await page.$$eval('.chart svg', (svgs) =>
        svgs.map((s) => s.querySelectorAll('path, rect, text').length),
      );
      assert.equal(marks.length, charts.length);
      assert.ok(
        marks.every((n) => n > 20),
        `marks per chart: ${marks}`,
      );
      await page.screenshot({ path: join(tmpdir(), 'report-screenshot.png'), fullPage: true });
      assert.deepEqual(errors, []);
      assert.deepEqual(requests, []);
    } finally {
      await browser.close();
    }
  });

  it('a broken or foreign file, or a bad flag, is one line and exit 2', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"schema":"something-else"}');
    for (const args of [[broken], [join(dir, 'missing.json')], [resultsPath, '--bogus']]) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/report.ts', ...args], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^report: /);
    }
  });
});

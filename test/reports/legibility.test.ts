/**
 * What makes the report readable at a glance (issue 16): legend swatches as opaque as the lines they
 * name, a starved line marked on the spectrum, the heatmap's connection levels said, a title from
 * what actually ran, and a cell table that sorts in the browser by a click on a heading.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { writeResults } from '../../bench/results/file.ts';
import { heatmapChart } from '../../reports/charts/heatmap.ts';
import { latencyChart } from '../../reports/charts/latency.ts';
import { throughputChart } from '../../reports/charts/throughput.ts';
import { spectrumChart } from '../../reports/charts/spectrum.ts';
import { runTitle } from '../../reports/html.ts';
import { colourScale } from '../../reports/palette.ts';
import { renderReport } from '../../reports/render.ts';
import { specToSvg } from '../../reports/render-svg.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

const dir = mkdtempSync(join(tmpdir(), 'report-legibility-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const results = syntheticResults([
  ...['event-loop', 'worker-pool', 'node-http'].flatMap((model, i) =>
    [1, 16].map((connections) => ({
      model,
      kind: model === 'node-http' ? ('peer' as const) : ('model' as const),
      scenario: 'hello',
      connections,
      rps: 10_000 * (i + 1) * connections ** 0.3,
      p99Us: 1000 * (i + 1),
    })),
  ),
  { model: 'blocking', scenario: 'hello', connections: 1, rps: 9000, p99Us: 300 },
  // The starved blocking model: the few requests it answered were quick, the others never answered.
  { model: 'blocking', scenario: 'hello', connections: 16, rps: 9000, p99Us: 300, starved: true },
]);

describe('report legibility', () => {
  it('throughput and latency: a legend names every model with an opaque swatch of its colour', async () => {
    const { domain, range } = colourScale(results.cells);
    for (const chart of [throughputChart(results), latencyChart(results)]) {
      const svg = await specToSvg(chart);
      const swatches = [
        ...svg.matchAll(
          /role-legend-symbol"[^>]*><path [^>]*fill="([^"]+)" fill-opacity="([^"]+)"[^>]*opacity="([^"]+)"/g,
        ),
      ];
      for (const [i, model] of domain.entries()) {
        assert.match(svg, new RegExp(`>${model}</text>`), `${model} is named in a legend`);
        const swatch = swatches.find((m) => m[1] === range[i]);
        assert.ok(swatch, `${model}'s colour ${range[i]} has a legend swatch`);
        assert.deepEqual([swatch[2], swatch[3]], ['1', '1'], `${model}'s swatch is opaque`);
      }
    }
  });
  it('spectrum: a starved line is dotted and labelled, so it does not read as the fastest', async () => {
    const spec = spectrumChart(results, 16) as { data: { values: { model: string; line: string }[] } };
    const lines = new Set(spec.data.values.map((r) => `${r.model} ${r.line}`));
    assert.ok(lines.has('blocking starved') && lines.has('event-loop model') && lines.has('node-http peer'));
    const svg = await specToSvg(spec);
    assert.match(svg, /▽ starved/);
  });

  it('heatmap: says that each square is at its own best connection level, and which', () => {
    const spec = heatmapChart(results) as { title: string[]; data: { values: { text: string }[] } };
    assert.match(spec.title.join(' '), /best connection level/);
    assert.ok(
      spec.data.values.every((r) => /^\d+% @(1|16)\b/.test(r.text)),
      JSON.stringify(spec.data.values),
    );
  });

  it('the title says what ran: the profile alone only when no flag changed it', () => {
    assert.equal(runTitle(results).title, 'synthetic run');
    const changed = { ...results, config: { ...results.config, extra: { overrides: ['--duration', '--scenarios'] } } };
    assert.equal(runTitle(changed).title, 'synthetic profile, changed by --duration, --scenarios');
    assert.match(
      runTitle(changed).ran,
      /^4 models × 1 scenario at 1, 16 connections; 3 trials of 5 s per cell; 8 cells$/,
    );
  });

  it('the cell table sorts by a click on a heading, numbers as numbers, a dash last', async () => {
    const path = join(dir, 'results.json');
    writeResults(path, results);
    const { html } = await renderReport(path, join(dir, 'out'));
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    try {
      const page = await browser.newPage();
      const warnings: string[] = [];
      page.on('console', (m) => {
        // Errors and Vega's "Infinite extent" warnings; vega-embed's note on the spec's Vega-Lite version is not one.
        if (m.type() === 'error' || /Infinite extent/.test(m.text())) warnings.push(m.text());
      });
      await page.goto(`file://${html}`);
      const column = async (index: number) =>
        page.$$eval(`#cells tbody tr td:nth-child(${index})`, (tds) => tds.map((td) => td.textContent ?? ''));
      await page.click('#cells th:nth-child(4)'); // req/s, highest first
      const rps = (await column(4)).map((t) => Number(t.replace(/,/g, '')));
      assert.deepEqual(
        rps,
        [...rps].sort((a, b) => b - a),
      );
      assert.equal(await page.getAttribute('#cells th:nth-child(4)', 'aria-sort'), 'descending');
      await page.click('#cells th:nth-child(4)');
      const again = (await column(4)).map((t) => Number(t.replace(/,/g, '')));
      assert.deepEqual(
        again,
        [...again].sort((a, b) => a - b),
      );
      await page.click('#cells th:nth-child(1)'); // model, words
      const models = await column(1);
      assert.deepEqual(
        models,
        [...models].sort((a, b) => b.localeCompare(a)),
      );
      assert.match((await page.textContent('h1')) ?? '', /synthetic run/);
      assert.deepEqual(warnings, []);
    } finally {
      await browser.close();
    }
  });
});

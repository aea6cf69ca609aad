/**
 * The dashboard page: one self-contained HTML file (vega inlined, data embedded)
 * that opens from the file system. Sections per scenario, a chart per model.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { historySpec } from './charts.ts';
import type { History } from './history.ts';
import { inlineVegaScripts } from './vega-scripts.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A JSON value safe to place inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/** The latest run's report (results/<run-id>/report.html), linked relative to the page when it exists. */
function latestReport(history: History, outDir: string): string | null {
  const latest = history.runs.at(-1);
  if (!latest) return null;
  const candidates = [
    join(dirname(latest.path), 'report.html'),
    join(dirname(latest.path), latest.results.runId, 'report.html'),
  ];
  const found = candidates.find((p) => existsSync(p));
  return found ? relative(outDir, found).split('\\').join('/') : null;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const change = (now: number, before: number | undefined): string =>
  before === undefined || before === 0
    ? ''
    : `${now >= before ? '+' : ''}${(((now - before) / before) * 100).toFixed(1)}%`;

/**
 * The first screen: per scenario and model, the latest run's figures at its highest connection
 * level, the change from the run before and the regressions in the whole history, each row a link
 * to the model's charts further down.
 */
function overview(history: History, anchor: (scenario: string, model: string) => string): string {
  const latest = history.runs.length - 1;
  const rows = [...new Set(history.points.map((p) => `${p.scenario}\u0000${p.model}`))].sort().flatMap((key) => {
    const [scenario, model] = key.split('\u0000') as [string, string];
    const own = history.points.filter((p) => p.scenario === scenario && p.model === model);
    const now = own.filter((p) => p.run === latest);
    if (now.length === 0) return [];
    const connections = Math.max(...now.map((p) => p.connections));
    const point = now.find((p) => p.connections === connections)!;
    const before = own.filter((p) => p.connections === connections && p.run < latest).at(-1);
    const regressions = own.filter((p) => p.rpsRegressed || p.p99Regressed).length;
    return [
      `<tr><td><a href="#${anchor(scenario, model)}">${escapeHtml(scenario)}</a></td><td>${escapeHtml(model)}</td><td class="n">${connections}</td><td class="n">${fmt(point.rps)}</td><td class="n">${escapeHtml(change(point.rps, before?.rps))}</td><td class="n">${fmt(point.p99Us)}</td><td class="n">${escapeHtml(change(point.p99Us, before?.p99Us))}</td><td class="n${regressions ? ' bad' : ''}">${regressions || ''}</td></tr>`,
    ];
  });
  if (rows.length === 0) return '';
  return `<h2>Overview: the latest run</h2><table class="overview"><thead><tr><th>scenario</th><th>model</th><th>conns</th><th>req/s</th><th>vs previous</th><th>p99 µs</th><th>vs previous</th><th>regressions (all runs)</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Render the page; `outDir` is where it will be written (for the report link). */
export function renderDashboard(history: History, outDir: string): string {
  const labels = history.runs.map((r) => r.label);
  const anchorOf = (scenario: string, model: string) => `${scenario}--${model}`.replace(/[^A-Za-z0-9_-]/g, '_');
  const charts: { id: string; spec: unknown }[] = [];
  const sections: string[] = [];
  const scenarios = [...new Set(history.points.map((p) => p.scenario))].sort();
  for (const scenario of scenarios) {
    const models = [...new Set(history.points.filter((p) => p.scenario === scenario).map((p) => p.model))].sort();
    const figures = models.map((model) => {
      const id = `chart-${charts.length}`;
      const points = history.points.filter((p) => p.scenario === scenario && p.model === model);
      charts.push({ id, spec: historySpec(points, labels) });
      const regressions = points.filter((p) => p.rpsRegressed || p.p99Regressed).length;
      return `<figure id="${anchorOf(scenario, model)}"><figcaption>${escapeHtml(model)}${regressions ? ` <span class="bad">${regressions} regression(s)</span>` : ''}</figcaption><div class="chart" id="${id}"></div></figure>`;
    });
    sections.push(`<section><h2>${escapeHtml(scenario)}</h2>${figures.join('\n')}</section>`);
  }
  const latest = history.runs.at(-1);
  const report = latestReport(history, outDir);
  const skipped = history.skipped.length
    ? `<details class="skipped"><summary>${history.skipped.length} file(s) skipped</summary><ul>${history.skipped.map((s) => `<li>${escapeHtml(s)}</li>`).join('')}</ul></details>`
    : '';
  const runList = history.runs
    .map(
      (r) =>
        `<li><code>${escapeHtml(r.label)}</code> ${escapeHtml(r.time)} — ${escapeHtml(r.results.runId)} (${escapeHtml(r.results.config.profile)}, ${escapeHtml(r.results.machine.cpuModel)})</li>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>server-models — benchmark history</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; }
section { margin-bottom: 2rem; }
figure { margin: 0 0 1rem; }
figcaption { font-weight: 600; margin-bottom: .3rem; }
.bad { color: #d62728; font-weight: 600; }
.note { color: #555; max-width: 60rem; }
table.overview { border-collapse: collapse; font-size: 13px; margin-bottom: 2rem; }
table.overview td, table.overview th { padding: 2px 8px; border-bottom: 1px solid #eee; text-align: left; }
table.overview .n { text-align: right; font-variant-numeric: tabular-nums; }
</style>
${inlineVegaScripts()}
</head>
<body>
<h1>server-models — benchmark history</h1>
<p class="note">${history.runs.length} run(s), ordered by commit time. Each point is the median of a cell's trials; a red ring marks a regression against the run just before, judged like <code>npm run compare</code> (normalised by each run's calibration ceiling, ±10% threshold, significance by bootstrap and Mann–Whitney).
${latest ? `Latest: <code>${escapeHtml(latest.label)}</code> (${escapeHtml(latest.results.runId)}).` : ''} ${report ? `<a href="${escapeHtml(report)}">Latest run report</a>.` : 'No report.html next to the latest results.'}</p>
${skipped}
${overview(history, anchorOf)}
${sections.join('\n') || '<p>No results files with measured cells in this folder.</p>'}
<details><summary>Runs</summary><ol>${runList}</ol></details>
<script>
const charts = ${scriptJson(charts)};
Promise.all(charts.map((c) => vegaEmbed('#' + c.id, c.spec, { actions: false, renderer: 'svg' })))
  .then(() => { document.body.dataset.rendered = 'true'; })
  .catch((error) => { document.body.dataset.rendered = 'error'; console.error(error); });
</script>
</body>
</html>
`;
}

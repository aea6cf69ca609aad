/** Results file → charts (SVG, PNG), report.html and summary.md in one folder. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readResults } from '../bench/results/file.ts';
import { chartsFor } from './charts/index.ts';
import { evaluateFindings } from './findings/evaluate.ts';
import { renderHtml } from './html.ts';
import { specToSvg, svgToPng } from './render-svg.ts';
import { renderSummaryMd } from './summary-md.ts';

export async function renderReport(
  resultsPath: string,
  outDir?: string,
): Promise<{ html: string; markdown: string; chartsDir: string }> {
  const results = readResults(resultsPath);
  const dir = outDir ?? join(dirname(resultsPath), results.runId);
  const chartsDir = join(dir, 'charts');
  mkdirSync(chartsDir, { recursive: true });
  const charts = chartsFor(results);
  for (const c of charts) {
    const svg = await specToSvg(c.spec(results));
    writeFileSync(join(chartsDir, `${c.name}.svg`), svg);
    writeFileSync(join(chartsDir, `${c.name}.png`), svgToPng(svg));
  }
  const findings = evaluateFindings(results);
  const html = join(dir, 'report.html');
  const markdown = join(dir, 'summary.md');
  writeFileSync(html, renderHtml(results, charts, findings));
  writeFileSync(markdown, renderSummaryMd(results, charts, findings));
  return { html, markdown, chartsDir };
}

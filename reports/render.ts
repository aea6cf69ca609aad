/** Results file → charts (SVG, PNG), report.html and summary.md in one folder. */

import { dirname, join } from 'node:path';
import { readResults } from '../bench/results/file.ts';
import { checkOutputDir, ensureDir, writeFileAtomic } from '../bench/results/output.ts';
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
  checkOutputDir(dir, 'report folder');
  const chartsDir = join(dir, 'charts');
  ensureDir(chartsDir);
  const charts = chartsFor(results);
  for (const c of charts) {
    const svg = await specToSvg(c.spec(results));
    writeFileAtomic(join(chartsDir, `${c.name}.svg`), svg);
    writeFileAtomic(join(chartsDir, `${c.name}.png`), svgToPng(svg));
  }
  const findings = evaluateFindings(results);
  const html = join(dir, 'report.html');
  const markdown = join(dir, 'summary.md');
  writeFileAtomic(html, renderHtml(results, charts, findings));
  writeFileAtomic(markdown, renderSummaryMd(results, charts, findings));
  return { html, markdown, chartsDir };
}

/** The compact Markdown summary for a CI job summary or a PR comment: a table, the key sentences, the findings, the PNG charts. */
import type { Results } from '../bench/results/schema.ts';
import type { ChartDef } from './charts/index.ts';
import { cellRows } from './charts/rows.ts';
import { explainScenario } from './explain.ts';
import { runTitle } from './html.ts';
import { modelGlance, scenarioGlance } from './glance.ts';
import type { Finding } from './findings/types.ts';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function renderSummaryMd(results: Results, charts: ChartDef[], findings: Finding[]): string {
  const m = results.machine;
  const { title, ran } = runTitle(results);
  const lines = [
    `# server-models: ${title} (${results.runId})`,
    '',
    ran,
    '',
    `${m.cpuModel}, ${m.cores} cores · Node ${m.node} · commit ${results.git.commit?.slice(0, 10) ?? 'unknown'}${results.git.dirty ? ' (dirty)' : ''}${results.complete ? '' : ' · **incomplete run**'}`,
    '',
    '## At a glance',
    '',
    ...scenarioGlance(results).map((l) => `- ${l}`),
    '',
    ...modelGlance(results).map((l) => `- ${l}`),
    '',
    '| scenario | model | conns | req/s | p99 ms | flag |',
    '| --- | --- | ---: | ---: | ---: | --- |',
  ];
  // The highest concurrency of each model and scenario: the table stays short.
  const rows = cellRows(results);
  const top = new Map<string, number>();
  for (const r of rows)
    top.set(`${r.model}|${r.scenario}`, Math.max(top.get(`${r.model}|${r.scenario}`) ?? 0, r.connections));
  for (const r of rows
    .filter((x) => top.get(`${x.model}|${x.scenario}`) === x.connections)
    .sort((a, b) => a.scenario.localeCompare(b.scenario) || b.rps - a.rps)) {
    lines.push(
      `| ${cell(r.scenario)} | ${cell(r.label)} | ${r.connections} | ${Math.round(r.rps).toLocaleString('en-US')} | ${r.rps > 0 && r.p99Ms > 0 ? r.p99Ms.toFixed(2) : '—'} | ${r.mark === 'ok' ? '' : r.mark} |`,
    );
  }
  lines.push('', '## What the numbers show', '');
  for (const s of results.scenarios) lines.push(`- **${s.name}**: ${explainScenario(results, s.name).join(' ')}`);
  if (findings.length) {
    lines.push('', '## Findings', '', '| finding | status | detail |', '| --- | --- | --- |');
    for (const f of findings)
      lines.push(
        `| ${cell(f.title)} | ${f.status} | ${cell(f.detail)}${f.explanation ? ` ${cell(f.explanation)}` : ''} |`,
      );
  }
  lines.push('', '## Charts', '');
  for (const c of charts) lines.push(`![${c.title}](charts/${c.name}.png)`);
  return `${lines.join('\n')}\n`;
}

/** The self-contained HTML report: vega inlined, interactive charts, the run's context, every cell, the sentences and findings. */
import type { Results } from '../bench/results/schema.ts';
import { inlineVegaScripts } from './dashboard/vega-scripts.ts';
import type { Finding } from './findings/types.ts';
import type { ChartDef } from './charts/index.ts';
import { databaseSection } from './database.ts';
import { explainScenario } from './explain.ts';
import { modelGlance, scenarioGlance } from './glance.ts';

/** A numeric cell of the cell table: shown as `text`, sorted by `value`. */
const figureCell = (value: number, text: string = String(value)): string =>
  `<td class="n" data-v="${value}">${text}</td>`;

/**
 * Sorting the cell table by a click on a heading (or Enter): numbers by their `data-v`, words
 * alphabetically, a dash (no figure) always last; a second click reverses.
 */
const sortScript = `
const cellTable = document.getElementById('cells');
cellTable.querySelectorAll('th').forEach((th, column) => {
  th.tabIndex = 0;
  th.style.cursor = 'pointer';
  const sort = () => {
    const descending = th.getAttribute('aria-sort') !== 'descending';
    cellTable.querySelectorAll('th').forEach((h) => h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
    const key = (row) => {
      const cell = row.cells[column];
      if (!cell || cell.textContent.trim() === '—') return null;
      return cell.dataset.v !== undefined ? Number(cell.dataset.v) : cell.textContent.trim();
    };
    const body = cellTable.tBodies[0];
    const rows = [...body.rows].sort((a, b) => {
      const x = key(a), y = key(b);
      if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
    body.append(...rows);
  };
  th.addEventListener('click', sort);
  th.addEventListener('keydown', (event) => { if (event.key === 'Enter') sort(); });
});`;

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (n: number, d = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * The report's title from what ran: the profile's name alone only when no flag changed its matrix or
 * its measurement (a "quick run" of one scenario for 1 s is not the quick profile), then the facts.
 */
/** The cells the profile gave another load generator, as a clause after the run's own (escaped). */
function cellLoadgens(results: Results): string {
  const notes = results.config.extra?.cellLoadgens;
  return Array.isArray(notes) && notes.length > 0 ? ` (${esc(notes.join('; '))})` : '';
}

export function runTitle(results: Results): { title: string; ran: string } {
  const { config } = results;
  const overrides = Array.isArray(config.extra?.overrides) ? (config.extra.overrides as string[]) : [];
  const title = overrides.length
    ? `${config.profile} profile, changed by ${overrides.join(', ')}`
    : `${config.profile} run`;
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const scenarios = new Set(results.cells.map((c) => c.scenario)).size || config.scenarios.length;
  const ran = `${count(config.models.length, 'model')} × ${count(scenarios, 'scenario')} at ${config.connections.join(', ')} connections; ${count(config.trials * (config.rounds ?? 1), 'trial')} of ${config.durationSec} s per cell; ${count(results.cells.length, 'cell')}`;
  return { title, ran };
}

export function renderHtml(results: Results, charts: ChartDef[], findings: Finding[]): string {
  const { title, ran } = runTitle(results);
  const m = results.machine;
  const specs = charts.map((c) => ({ id: `chart-${c.name}`, title: c.title, spec: c.spec(results) }));
  const cal = results.calibration
    .map(
      (c) =>
        `<li>${c.round ? `round ${c.round}: ` : ''}${esc(c.loadgen)} at ${c.connections} connections${c.pipelining ? ` ×${c.pipelining} pipelined` : ''}: ceiling ${num(c.requestsPerSec)} requests/s (load generator ${num(c.loadgenCpuShare * 100)}% of a core)</li>`,
    )
    .join('');
  const scenarios = results.scenarios
    .map(
      (s) =>
        `<section><h3>${esc(s.name)}</h3><p class="muted">${esc(s.description)} — ${Object.entries(s.params)
          .map(([k, v]) => `${esc(k)}=${esc(v)}`)
          .join(', ')}</p>${explainScenario(results, s.name)
          .map((t) => `<p>${esc(t)}</p>`)
          .join('')}</section>`,
    )
    .join('');
  const rows = results.cells
    .map((c) => {
      const s = c.summary;
      const flag =
        c.status !== 'ok'
          ? `<span class="bad">${esc(c.status)}</span>`
          : c.flags.errored
            ? '<span class="bad">errored</span>'
            : c.flags.starved
              ? '<span class="bad">starved</span>'
              : c.flags.clientBound
                ? '<span class="warn">client-bound</span>'
                : c.flags.busy
                  ? '<span class="warn">busy machine</span>'
                  : 'ok';
      const placed =
        c.placement?.rule === 'every-cpu'
          ? ` <span class="muted" title="${esc(c.placement.note)}">(every CPU)</span>`
          : '';
      const open =
        c.loadMode === 'open' ? ` <span class="muted">(open loop ${esc(c.rate?.requested ?? '')})</span>` : '';
      return (
        `<tr><td>${esc(c.model)}${c.kind === 'peer' ? ' <span class="muted">(peer)</span>' : ''}${open}</td><td>${esc(c.scenario)}</td>${figureCell(c.connections)}` +
        (s && s.requestsPerSec.max === 0
          ? // No latency exists for a cell that answered nothing: a dash, not a 0 that would sort as the fastest.
            `${figureCell(0, '<span class="bad">answered no request</span>')}${'<td class="n">—</td>'.repeat(3)}${figureCell(s.cpuPerKiloReq.median, num(s.cpuPerKiloReq.median, 3))}${figureCell(s.serverPeakRssBytes.median / 2 ** 20, num(s.serverPeakRssBytes.median / 2 ** 20, 1))}${figureCell(s.errors + s.timeouts + s.non2xx)}`
          : s
            ? `${figureCell(s.requestsPerSec.median, num(s.requestsPerSec.median))}<td class="n muted">${num(s.requestsPerSec.min)}–${num(s.requestsPerSec.max)}</td>${figureCell(s.p50Us.median / 1000, num(s.p50Us.median / 1000, 2))}${figureCell(s.p99Us.median / 1000, num(s.p99Us.median / 1000, 2))}${figureCell(s.cpuPerKiloReq.median, num(s.cpuPerKiloReq.median, 3))}${figureCell(s.serverPeakRssBytes.median / 2 ** 20, num(s.serverPeakRssBytes.median / 2 ** 20, 1))}${figureCell(s.errors + s.timeouts + s.non2xx)}`
            : `<td class="muted">${esc(c.error ?? 'not measured')}</td>${'<td class="n">—</td>'.repeat(6)}`) +
        `<td>${flag}${placed}</td><td class="muted">${esc([...(c.placement ? [c.placement.note] : []), ...c.flags.notes].join('; '))}</td></tr>`
      );
    })
    .join('');
  const findingRows = findings
    .map(
      (f) =>
        `<tr><td>${esc(f.title)}<div class="muted">${esc(f.claim)}</div></td><td><span class="st ${esc(f.status)}">${esc(f.status.replace('-', ' '))}</span></td><td>${esc(f.detail)}${f.explanation ? `<div class="muted">${esc(f.explanation)}</div>` : ''}</td><td class="muted">${Object.entries(
          f.figures,
        )
          .map(([k, v]) => `${esc(k)}: ${esc(typeof v === 'number' ? num(v, 2) : v)}`)
          .join('<br>')}</td></tr>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>server-models: ${esc(title)} (${esc(results.runId)})</title>
<style>
body{font:14px/1.5 system-ui,'DejaVu Sans',sans-serif;color:#222;max-width:1180px;margin:2em auto;padding:0 1em}
h1{margin-bottom:0}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}.muted{color:#777}
table{border-collapse:collapse;width:100%;font-size:13px}td,th{padding:3px 6px;border-bottom:1px solid #eee;text-align:left;vertical-align:top}.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b00;font-weight:600}.warn{color:#a60;font-weight:600}.chart{margin:1.5em 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}dt{color:#777}
.st{padding:1px 6px;border-radius:3px;font-weight:600}.held{background:#dfd}.not-held{background:#fdd}.not-measured{background:#eee}
</style>${inlineVegaScripts()}</head><body>
<h1>server-models: ${esc(title)}</h1><p>${esc(ran)}</p><p class="muted">${esc(results.runId)} · ${esc(results.startedAt)}${results.complete ? '' : ' · <b class="bad">incomplete run</b>'}</p>
<h2>At a glance</h2><ul>${scenarioGlance(results)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul><ul>${modelGlance(results)
    .map((l) => `<li>${esc(l)}</li>`)
    .join('')}</ul>
<h2>Machine and configuration</h2><dl>
<dt>CPU</dt><dd>${esc(m.cpuModel)}, ${m.cores} cores, ${num(m.memoryBytes / 2 ** 30, 1)} GiB</dd><dt>OS</dt><dd>${esc(m.os)} ${esc(m.kernel)}, Node ${esc(m.node)}</dd>
<dt>commit</dt><dd>${esc(results.git.commit ?? 'unknown')}${results.git.dirty ? ' (dirty tree)' : ''}</dd>
<dt>servers' Node</dt><dd>${esc([...new Set(results.cells.map((c) => c.node).filter(Boolean))].join(', ') || m.node)}${results.cells.some((c) => c.node && c.node !== m.node) ? ` (the harness ran on Node ${esc(m.node)})` : ''}</dd>
<dt>load</dt><dd>${esc(results.config.loadgen)}${cellLoadgens(results)}; ${results.config.trials} trials of ${results.config.durationSec} s after ${results.config.warmupSec} s warm-up; connections ${results.config.connections.join(', ')}</dd>
<dt>placement</dt><dd>server CPUs ${esc(results.config.serverCpus ?? 'unpinned')}, client CPUs ${esc(results.config.clientCpus ?? 'unpinned')}</dd>
<dt>calibration</dt><dd><ul>${cal || '<li>none recorded</li>'}</ul></dd></dl>
<p class="muted">Hollow diamonds: client-bound cells (the load generator limited them; read as a lower bound). Hollow crosses: errored cells. Hollow down-triangles: starved cells (connections left unanswered; their latency covers only the requests that were answered). Bands and bars: min–max over trials. Dashed lines: reference peers.</p>
<h2>What the numbers show</h2>${scenarios}
${findings.length ? `<h2>Findings</h2><table><tr><th>finding</th><th>status</th><th>detail</th><th>figures</th></tr>${findingRows}</table>` : ''}
<h2>Charts</h2>${specs.map((s) => `<div class="chart"><div id="${s.id}"></div></div>`).join('')}
${databaseSection(results)}
<h2>Every cell</h2><p class="muted">Click a column's heading to sort by it (again for the other way).</p>
<table id="cells"><thead><tr><th>model</th><th>scenario</th><th>conns</th><th>req/s</th><th>min–max</th><th>p50 ms</th><th>p99 ms</th><th>CPU s/1k</th><th>RSS MiB</th><th>err</th><th>flag</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table>
<script>${sortScript}</script>
<script>
const specs = ${JSON.stringify(specs).replace(/</g, '\\u003c')};
for (const s of specs) vegaEmbed('#' + s.id, s.spec, { actions: false, renderer: 'svg' }).then(() => document.getElementById(s.id).dataset.rendered = '1').catch((e) => console.error(s.id, e));
</script></body></html>`;
}

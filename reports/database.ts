/**
 * The report's database-tier table: for each cell of a database scenario, the
 * web server's CPU beside the database server's (per 1,000 requests), the
 * database's peak memory and the connections the server held, so a reader sees
 * whether the model or the database was the limit. Reads results only.
 */
import type { Cell, Results } from '../bench/results/schema.ts';

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const fixed = (n: number, d: number): string => n.toFixed(d);

/** The section's HTML, or '' for a run without database scenarios. */
export function databaseSection(results: Results): string {
  const cells = results.cells.filter((c) => c.summary?.dbCpuPerKiloReq || c.summary?.dbConnections);
  if (cells.length === 0) return '';
  const described = results.config.extra?.database as { kind?: string; url?: string; poolSize?: number } | undefined;
  const rows = cells.map((c) => row(c)).join('');
  return `<h2>The database tier</h2><p class="muted">Database server: ${esc(described?.kind ?? 'unknown')} (${esc(described?.url ?? '')}), ${esc(described?.poolSize ?? '?')} connections per pool. CPU in ms per 1,000 requests: where the database's column passes the server's, the database server is the busier of the two.</p>
<table><tr><th>scenario</th><th>conns</th><th>model</th><th>req/s</th><th>server CPU</th><th>database CPU</th><th>database RSS MiB</th><th>connections held</th><th>cache</th></tr>${rows}</table>`;
}

function row(c: Cell): string {
  const s = c.summary as NonNullable<Cell['summary']>;
  const db = s.dbCpuPerKiloReq ? fixed(s.dbCpuPerKiloReq.median * 1000, 1) : 'not measured';
  const rss = s.dbPeakRssBytes ? fixed(s.dbPeakRssBytes.median / 2 ** 20, 0) : '–';
  const held = s.dbConnections ? String(Math.round(s.dbConnections.max)) : '–';
  return `<tr><td>${esc(c.scenario)}</td><td class="n">${c.connections}</td><td>${esc(c.model)}</td><td class="n">${Math.round(s.requestsPerSec.median)}</td><td class="n">${fixed(s.cpuPerKiloReq.median * 1000, 1)}</td><td class="n">${db}</td><td class="n">${rss}</td><td class="n">${held}</td><td>${esc(c.cache ?? '–')}</td></tr>`;
}

/**
 * A single run's cells in the formats other tools read: CSV (one row per cell, medians of its
 * trials, for a spreadsheet or pandas), Bencher Metric Format (BMF JSON, for bencher.dev) and
 * github-action-benchmark's custom JSON (one file per direction). Reads a results file's data only;
 * the same formats from a comparison live in compare/render.ts.
 */
import type { Cell, Results } from './schema.ts';

/** A cell's name across tools: `model:scenario:connections` (and its open-loop rate). */
export function cellName(cell: Pick<Cell, 'model' | 'scenario' | 'connections' | 'loadMode' | 'rate'>): string {
  const open = cell.loadMode === 'open' ? `:open@${cell.rate?.requested ?? '?'}` : '';
  return `${cell.model}:${cell.scenario}:${cell.connections}${open}`;
}

/** Flags as letters, as the terminal shows them: C client-bound, E errored, W starved, F failed, S skipped. */
function flagLetters(cell: Cell): string {
  return [
    cell.flags.clientBound ? 'C' : '',
    cell.flags.errored ? 'E' : '',
    cell.flags.starved ? 'W' : '',
    cell.status === 'failed' ? 'F' : '',
    cell.status === 'skipped' ? 'S' : '',
  ].join('');
}

/** The CSV columns, each with its unit in the name, and how a cell fills it (empty where there is no figure). */
const columns: [string, (cell: Cell) => string | number | undefined][] = [
  ['model', (c) => c.model],
  ['kind', (c) => c.kind],
  ['scenario', (c) => c.scenario],
  ['connections', (c) => c.connections],
  ['load_mode', (c) => c.loadMode ?? 'closed'],
  ['target_rps', (c) => c.rate?.targetRps],
  ['loadgen', (c) => c.loadgen],
  ['status', (c) => c.status],
  ['flags', flagLetters],
  ['trials', (c) => c.trials.length],
  ['requests_per_sec', (c) => c.summary?.requestsPerSec.median],
  ['requests_per_sec_rel_spread', (c) => c.summary?.requestsPerSec.relSpread],
  ['bytes_per_sec', (c) => c.summary?.bytesPerSec.median],
  ...(['p50', 'p90', 'p99', 'p999', 'max'] as const).map((p): [string, (cell: Cell) => number | undefined] => [
    `${p}_us`,
    (c) => answered(c, c.summary?.[`${p}Us`].median),
  ]),
  ['server_cpu_ms_per_kreq', (c) => answered(c, c.summary ? c.summary.cpuPerKiloReq.median * 1000 : undefined)],
  ['server_peak_rss_bytes', (c) => c.summary?.serverPeakRssBytes.median],
  ['loadgen_cpu_share', (c) => c.summary?.loadgenCpuShare.median],
  ['errors', (c) => c.summary?.errors],
  ['timeouts', (c) => c.summary?.timeouts],
  ['non2xx', (c) => c.summary?.non2xx],
  ['instructions_per_request', (c) => c.summary?.instructionsPerRequest?.median],
  ['error', (c) => c.error],
];

/** A figure that exists only when the cell answered something: a latency of nothing is no latency. */
function answered(cell: Cell, value: number | undefined): number | undefined {
  return cell.summary && cell.summary.requestsPerSec.max > 0 ? value : undefined;
}

/** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
function field(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = typeof value === 'number' ? String(Number(value.toPrecision(10))) : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Every cell as one CSV row, with a header row. */
export function cellsCsv(results: Results): string {
  const rows = [columns.map(([name]) => name), ...results.cells.map((cell) => columns.map(([, read]) => read(cell)))];
  return `${rows.map((row) => row.map(field).join(',')).join('\r\n')}\r\n`;
}

type BmfMeasure = { value: number; lower_value?: number; upper_value?: number };

/**
 * Bencher Metric Format: `{ "model:scenario:connections": { measure: { value, lower_value, upper_value } } }`,
 * the median of the cell's trials with their lowest and highest as the bounds. Cells that answered
 * nothing are left out: they have no figure.
 */
export function runBmf(results: Results): Record<string, Record<string, BmfMeasure>> {
  const out: Record<string, Record<string, BmfMeasure>> = {};
  for (const cell of results.cells) {
    const s = cell.summary;
    if (!s || s.requestsPerSec.max === 0) continue;
    const of = (stat: { median: number; min: number; max: number }, scale = 1): BmfMeasure => ({
      value: stat.median * scale,
      lower_value: stat.min * scale,
      upper_value: stat.max * scale,
    });
    out[cellName(cell)] = {
      requests_per_second: of(s.requestsPerSec),
      p99_latency_us: of(s.p99Us),
      server_cpu_us_per_request: of(s.cpuPerKiloReq, 1000),
      peak_rss_bytes: of(s.serverPeakRssBytes),
      ...(s.instructionsPerRequest ? { instructions: of(s.instructionsPerRequest) } : {}),
    };
  }
  return out;
}

/** One entry of github-action-benchmark's custom JSON. */
export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/** github-action-benchmark takes one direction per file: requests/s bigger is better, the rest smaller. */
export function runBenchmarkAction(results: Results): { bigger: BenchmarkEntry[]; smaller: BenchmarkEntry[] } {
  const bigger: BenchmarkEntry[] = [];
  const smaller: BenchmarkEntry[] = [];
  const commit = results.git.commit?.slice(0, 8) ?? results.runId;
  for (const cell of results.cells) {
    const s = cell.summary;
    if (!s || s.requestsPerSec.max === 0) continue;
    const name = cellName(cell);
    const extra = `${commit}, ${cell.trials.length} trial(s)${flagLetters(cell) ? `, flags ${flagLetters(cell)}` : ''}`;
    const range = (stat: { min: number; max: number }, scale = 1) =>
      `${round(stat.min * scale)}..${round(stat.max * scale)}`;
    bigger.push({
      name: `${name} requests/s`,
      unit: 'req/s',
      value: round(s.requestsPerSec.median),
      range: range(s.requestsPerSec),
      extra,
    });
    smaller.push({
      name: `${name} p99 latency`,
      unit: 'µs',
      value: round(s.p99Us.median),
      range: range(s.p99Us),
      extra,
    });
    smaller.push({
      name: `${name} CPU per request`,
      unit: 'µs',
      value: round(s.cpuPerKiloReq.median * 1000),
      range: range(s.cpuPerKiloReq, 1000),
      extra,
    });
  }
  return { bigger, smaller };
}

const round = (n: number): number => Number(n.toPrecision(6));

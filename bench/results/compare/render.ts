/**
 * Render a comparison: a terminal table, Markdown for a job summary or a PR
 * comment, and github-action-benchmark's custom JSON.
 */
import { wrapText } from '../text.ts';
import type { CellComparison, Comparison, MetricRow } from './compare.ts';

const mark: Record<MetricRow['verdict'], string> = {
  improved: '✓ improved',
  regressed: '✗ REGRESSED',
  unchanged: '= unchanged',
  inconclusive: '? inconclusive',
};
const short: Record<MetricRow['verdict'], string> = {
  improved: '✓',
  regressed: '✗',
  unchanged: '=',
  inconclusive: '?',
};

/** The verdict, and in mode `both` what each comparison said when that is not plain "unchanged". */
function verdictText(row: MetricRow): string {
  const a = row.agreement;
  const second = row.advisory ? ' (timed: second view)' : '';
  if (!a || (a.absolute === 'unchanged' && a.normalised === 'unchanged')) return `${mark[row.verdict]}${second}`;
  return `${mark[row.verdict]} (absolute ${short[a.absolute]}, normalised ${percent(a.normalisedChange)} ${short[a.normalised]})${second}`;
}

/**
 * A figure with its unit: `12,345 req/s`, `3,831 µs`, `86.9 MiB`, `32,465 instr`; a normalised one
 * (a share of the run's reference) as `0.8123 norm.`.
 */
function figure(value: number, row: Pick<MetricRow, 'unit' | 'metric'>, normalised: boolean): string {
  if (!Number.isFinite(value)) return String(value);
  const scaled = normalised && row.metric !== 'rss';
  if (scaled && Math.abs(value) < 1000) return `${value.toPrecision(4)} norm.`;
  if (row.unit === 'bytes') return `${(value / 2 ** 20).toFixed(1)} MiB`;
  const number = Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
  return `${number} ${scaled ? 'norm.' : row.unit}`;
}

function percent(change: number): string {
  if (!Number.isFinite(change)) return 'new';
  return `${change >= 0 ? '+' : ''}${(change * 100).toFixed(1)}%`;
}

function interval(row: MetricRow): string {
  if (row.metric === 'instructions' && row.interval)
    return `blocks ${percent(row.interval[0])}..${percent(row.interval[1])}`;
  if (!row.interval) return 'threshold only';
  return `[${percent(row.interval[0])}, ${percent(row.interval[1])}] p=${(row.p ?? 1).toFixed(3)}`;
}

function lines(comparison: Comparison): string[][] {
  const normalised = comparison.options.mode === 'normalised';
  const out: string[][] = [];
  for (const cell of comparison.cells) {
    if (cell.note) out.push([cell.key, '', '', '', '', '', cell.note]);
    for (const row of cell.rows) {
      out.push([
        cell.key,
        row.label,
        figure(row.baseline, row, normalised),
        figure(row.current, row, normalised),
        percent(row.change),
        interval(row),
        verdictText(row),
      ]);
    }
  }
  return out;
}

const header = ['cell', 'metric', 'baseline', 'current', 'change', '95% interval, U-test p', 'verdict'];

function preamble(comparison: Comparison): string[] {
  const { options } = comparison;
  const out = [
    `baseline ${comparison.baseline.runId} (${comparison.baseline.commit?.slice(0, 8) ?? 'no commit'}) → current ${comparison.current.runId} (${comparison.current.commit?.slice(0, 8) ?? 'no commit'})`,
    options.mode === 'normalised'
      ? `mode: normalised — figures divided by each run's ${options.normalisedBy.current} (baseline: ${options.normalisedBy.baseline}); peak RSS absolute`
      : options.mode === 'both'
        ? `mode: both — absolute figures shown; a change is called only when the comparison normalised by each run's ${options.normalisedBy.current} (baseline: ${options.normalisedBy.baseline}) agrees`
        : 'mode: absolute figures',
    `threshold ±${(options.threshold * 100).toFixed(0)}% (peak RSS at least ±25%): a change is a regression only if it is beyond the threshold AND significant (95% bootstrap interval of the ratio of medians excludes zero and one-sided Mann–Whitney p ≤ 0.05)`,
  ];
  if (comparison.cells.some((c) => c.rows.some((r) => r.metric === 'instructions')))
    out.push(
      "counted: where both runs counted instructions per request (Valgrind), that figure decides a cell: a change beyond ±2% and beyond three times the two runs' block deviations together; the timed figures are shown as the second view and do not fail the comparison",
    );
  if (comparison.thresholdOnly)
    out.push(
      'NOTE: some cells have fewer than 3 trials a side (marked "threshold only"): a change within the threshold is unchanged, one beyond it inconclusive, since so few trials cannot tell a change from noise',
    );
  return out;
}

function summaryLine(comparison: Comparison): string {
  const count = (v: MetricRow['verdict']) =>
    comparison.cells.flatMap((c) => c.rows).filter((r) => r.verdict === v).length;
  const regressedCells = comparison.cells
    .filter((c) => c.rows.some((r) => r.verdict === 'regressed' && !r.advisory))
    .map((c) => c.key);
  const head = regressedCells.length
    ? `REGRESSION in ${regressedCells.length} cell(s): ${regressedCells.join(', ')}`
    : 'no regression';
  return `${head} — ${count('regressed')} regressed, ${count('improved')} improved, ${count('unchanged')} unchanged, ${count('inconclusive')} inconclusive`;
}

/**
 * The terminal table, with warnings first and loud, fitted to `width`: each cell's name on a line of
 * its own and its metrics under it (a name such as process-per-request:static-large:256 and six
 * columns would not fit 80 side by side), the prose wrapped.
 */
export function renderTerminal(comparison: Comparison, width = 80): string {
  const wrap = (line: string) => wrapText(line, width, 2);
  const out: string[] = [];
  for (const warning of comparison.warnings) out.push(wrap(`WARNING: ${warning}`));
  out.push(...preamble(comparison).map(wrap), '');
  const all = lines(comparison);
  const rows = [header.slice(1), ...all.map((r) => r.slice(1))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const padded = (row: string[]) =>
    row.map((v, i) => (i >= 1 && i <= 3 ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number)));
  // Metric, figures and change on the line; the interval and verdict after them when they fit, else under them.
  const line = (row: string[]) => {
    const cells = padded(row);
    const whole = `  ${cells.join('  ').trimEnd()}`;
    if (whole.length <= width) return whole;
    return `  ${cells.slice(0, 4).join('  ')}\n${wrapText(`${row[4]}  ${row[5]}`, width - 6, 6).replace(/^/, '      ')}`;
  };
  out.push(line(rows[0]!));
  let cell = '';
  for (const row of all) {
    if (row[0] !== cell) {
      cell = row[0] as string;
      out.push(cell);
    }
    // A cell's note (why some metrics were not compared) has no figures: it reads as words.
    if (row[1] === '') out.push(`  ${wrapText(row[6] ?? '', width - 2, 4)}`);
    else out.push(line(row.slice(1)));
  }
  if (comparison.added.length) out.push('', wrap(`added (only in current): ${comparison.added.join(', ')}`));
  if (comparison.removed.length) out.push('', wrap(`removed (only in baseline): ${comparison.removed.join(', ')}`));
  out.push('', wrap(summaryLine(comparison)));
  return `${out.join('\n')}\n`;
}

/** Markdown for $GITHUB_STEP_SUMMARY or a PR comment: summary first, the full table folded. */
export function renderMarkdown(comparison: Comparison): string {
  const cell = (v: string) => v.replace(/\|/g, '\\|');
  const out = [`### Benchmark comparison: ${comparison.regressed ? '❌ regression' : '✅ no regression'}`, ''];
  for (const warning of comparison.warnings) out.push(`> **Warning:** ${warning}`, '>');
  if (comparison.warnings.length) out.push('');
  out.push(...preamble(comparison).map((l) => `- ${l}`), '', `**${summaryLine(comparison)}**`, '');
  const notable = comparison.cells.filter((c: CellComparison) => c.rows.some((r) => r.verdict !== 'unchanged'));
  const table = (rows: string[][]) => [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => ' --- ').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
  const all = lines(comparison);
  const changed = all.filter((r) => r[6] !== mark.unchanged);
  if (notable.length) out.push(...table(changed), '');
  out.push('<details><summary>All cells and metrics</summary>', '', ...table(all), '', '</details>', '');
  if (comparison.added.length)
    out.push(`Added (only in current): ${comparison.added.map((k) => `\`${k}\``).join(', ')}`, '');
  if (comparison.removed.length)
    out.push(`Removed (only in baseline): ${comparison.removed.map((k) => `\`${k}\``).join(', ')}`, '');
  return out.join('\n');
}

/** One entry of github-action-benchmark's custom JSON format. */
export interface BenchmarkEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

/**
 * github-action-benchmark takes one direction per file, so the export is two
 * arrays: bigger-is-better (requests/s) and smaller-is-better (latency, CPU, RSS).
 * Values are the current run's medians in the comparison's mode.
 */
export function benchmarkActionEntries(comparison: Comparison): {
  bigger: BenchmarkEntry[];
  smaller: BenchmarkEntry[];
} {
  const bigger: BenchmarkEntry[] = [];
  const smaller: BenchmarkEntry[] = [];
  const normalised = comparison.options.mode === 'normalised';
  for (const c of comparison.cells) {
    for (const row of c.rows) {
      const scaledUnit = normalised && row.metric !== 'rss' ? `${row.unit} (normalised)` : row.unit;
      const entry: BenchmarkEntry = {
        name: `${c.key} ${row.label}`,
        unit: scaledUnit,
        value: row.current,
        ...(row.interval ? { range: `${percent(row.interval[0])}..${percent(row.interval[1])}` } : {}),
        extra: `${row.verdict}, ${percent(row.change)} vs ${comparison.baseline.commit?.slice(0, 8) ?? comparison.baseline.runId}`,
      };
      (row.direction === 'bigger' ? bigger : smaller).push(entry);
    }
  }
  return { bigger, smaller };
}

/**
 * Bencher Metric Format (BMF JSON): `{ benchmark: { measure: { value, lower_value, upper_value } } }`,
 * one benchmark per cell, one measure per metric (the counted one as `instructions`), the current
 * run's medians with their spread as the bounds where the comparison has one.
 */
export function bmfEntries(
  comparison: Comparison,
): Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> {
  const out: Record<string, Record<string, { value: number; lower_value?: number; upper_value?: number }>> = {};
  for (const c of comparison.cells) {
    const measures: Record<string, { value: number; lower_value?: number; upper_value?: number }> = {};
    for (const row of c.rows) {
      const bounds = row.interval
        ? { lower_value: row.baseline * (1 + row.interval[0]), upper_value: row.baseline * (1 + row.interval[1]) }
        : {};
      measures[row.metric] = { value: row.current, ...bounds };
    }
    if (Object.keys(measures).length > 0) out[c.key] = measures;
  }
  return out;
}

/**
 * What a run shows: a progress bar with the current cell and an ETA while it
 * runs (on a terminal), one line per finished cell, and at the end a table of
 * every model against every scenario with its flags. Rendering only: it reads
 * cells and results, it measures nothing.
 */
import cliProgress from 'cli-progress';
import Table from 'cli-table3';
import type { Calibration, Cell, Results } from '../results/schema.ts';
import { wrapText } from '../results/text.ts';
import { databaseParts } from './database-lines.ts';

export { wrapText };

const flagLegend =
  'flags: C = client-bound (a lower bound for the server), E = errors/timeouts/non-2xx under load, W = starved: requests left waiting, B = busy machine: other processes took CPU, F = failed, S = skipped; — = no latency (nothing answered)';

/** Short flags of a cell: C, E, W, B, F, S. */
export function cellMarks(cell: Cell): string {
  return [
    cell.flags.clientBound ? 'C' : '',
    cell.flags.errored ? 'E' : '',
    cell.flags.starved ? 'W' : '',
    cell.flags.busy ? 'B' : '',
    cell.status === 'failed' ? 'F' : '',
    cell.status === 'skipped' ? 'S' : '',
  ].join('');
}

export function formatRate(rps: number): string {
  if (rps >= 10_000) return `${(rps / 1000).toFixed(1)}k`;
  if (rps >= 100) return Math.round(rps).toString();
  return rps.toFixed(1);
}

export function formatUs(us: number): string {
  if (us >= 1_000_000) return `${(us / 1e6).toFixed(2)} s`;
  if (us >= 1000) return `${(us / 1000).toFixed(us >= 100_000 ? 0 : 1)} ms`;
  return `${Math.round(us)} µs`;
}

function formatDuration(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * The width output should fit: the terminal's (so wider when it is), else $COLUMNS, else 80, the
 * width of a default terminal and of most CI log viewers.
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout): number {
  const columns = stream.isTTY && stream.columns ? stream.columns : Number(process.env.COLUMNS) || 80;
  return Math.max(40, columns);
}

/** Figures (or words, with `separator` ' ') packed into lines of at most `width`, each line after the first indented. */
export function packLine(head: string, parts: string[], width: number, indent = 6, separator = '  '): string {
  const lines = [head];
  for (const part of parts.filter(Boolean)) {
    const last = lines[lines.length - 1] as string;
    const fresh = last.trim() === '';
    if (fresh || last.length + separator.length + part.length <= width)
      lines[lines.length - 1] = fresh ? `${last}${part}` : `${last}${separator}${part}`;
    else lines.push(`${' '.repeat(indent)}${part}`);
  }
  return lines.join('\n');
}

/** A latency figure, or `—` where none exists (a trial that answered nothing has no p99, not a 0 µs one). */
export function latencyText(us: number | undefined): string {
  return us === undefined || us <= 0 ? '—' : formatUs(us);
}

/**
 * A finished cell in as many lines of `width` as it needs, flags first: `✓ CE  model scenario c=N`,
 * then requests/s, p99, server CPU, RSS and the load generator's share, then group latencies and
 * the counted figure; what does not fit goes on the next line, nothing is cut. `suffix` follows the
 * name (a round: ` (round 2/5)`).
 */
export function cellLine(cell: Cell, width = 80, suffix = ''): string {
  const name = `${cell.model} ${cell.scenario} c=${cell.connections}${cell.rate ? ` open ${cell.rate.requested} (${formatRate(cell.rate.targetRps)}/s)` : cell.loadMode ? ` ${cell.loadMode}` : ''}`;
  const marks = cellMarks(cell);
  const ok = cell.status === 'ok' && cell.summary;
  const label = `${name}${suffix}`;
  const head = `${ok ? '✓' : '✗'} ${marks.padEnd(3)} ${width >= 100 ? label.padEnd(36) : label}`;
  if (!ok || !cell.summary) return packLine(head, `${cell.status}: ${cell.error ?? ''}`.split(' '), width, 6, ' ');
  const s = cell.summary;
  const resources = [
    `cpu ${(s.cpuPerKiloReq.median * 1000).toFixed(1)} ms/kreq`,
    `rss ${Math.round(s.serverPeakRssBytes.median / 2 ** 20)} MiB`,
    `loadgen ${Math.round(s.loadgenCpuShare.median * 100)}%`,
  ];
  if (s.requestsPerSec.max === 0) return packLine(head, ['answered no request in any trial', ...resources], width);
  const groups = Object.entries(s.groupP99Us ?? {}).map(([g, st]) => `${g} p99 ${latencyText(st.median)}`);
  const count = s.instructionsPerRequest
    ? `${Math.round(s.instructionsPerRequest.median).toLocaleString('en-US')} instructions/req (blocks ±${(s.instructionsPerRequest.relSpread * 50).toFixed(1)}%)`
    : '';
  return packLine(
    head,
    [
      `${formatRate(s.requestsPerSec.median).padStart(6)} req/s`,
      `p99 ${latencyText(s.p99Us.median).padStart(7)}`,
      ...resources,
      ...databaseParts(s),
      ...groups,
      count,
    ],
    width,
  );
}

export function calibrationLine(c: Calibration): string {
  return `calibration: ${c.loadgen} reaches ${formatRate(c.requestsPerSec)} req/s against a canned-response server (${c.connections} connections, pipelining ${c.pipelining ?? 1}, load generator at ${Math.round(c.loadgenCpuShare * 100)}% of a core)`;
}

/** The progress display: a bar on a terminal, plain lines elsewhere. */
export class Progress {
  private readonly multi: cliProgress.MultiBar | null;
  private readonly bar: cliProgress.SingleBar | null;
  private firstCellAt = 0;
  private done = 0;
  private current = 'calibrating';

  /** `plannedCellSec`: the plan's time per cell, the ETA's basis until cells have finished. */
  constructor(
    private readonly totalCells: number,
    private readonly plannedCellSec: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    if (stream.isTTY) {
      this.multi = new cliProgress.MultiBar(
        // `left`, not cli-progress's own `eta`: ours is based on the plan until cells finish.
        {
          stream,
          format: '{bar} {value}/{total} cells | ETA {left} | {cell}',
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
      this.bar = this.multi.create(Math.max(1, totalCells), 0, {
        left: formatDuration(totalCells * plannedCellSec),
        cell: this.current,
      });
    } else {
      this.multi = null;
      this.bar = null;
    }
  }

  log(line: string): void {
    if (this.multi) this.multi.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
  }

  cellStarted(index: number, label: string): void {
    if (this.firstCellAt === 0) this.firstCellAt = Date.now();
    this.current = `cell ${index + 1}/${this.totalCells}: ${label}`;
    this.update('starting');
  }

  phase(phase: string): void {
    this.update(phase);
  }

  cellDone(line: string): void {
    this.done++;
    this.log(line);
    this.update('');
  }

  stop(): void {
    if (!this.multi) return;
    // Flush lines logged since the last redraw before the bar goes.
    this.multi.update();
    this.multi.stop();
  }

  private update(phase: string): void {
    if (!this.bar) return;
    const perCell = this.done > 0 ? (Date.now() - this.firstCellAt) / 1000 / this.done : this.plannedCellSec;
    this.bar.update(this.done, {
      left: formatDuration((this.totalCells - this.done) * perCell),
      cell: phase ? `${this.current} – ${phase}` : this.current,
    });
  }
}

/** One model's entry in the closing table: `30.0k/s ±2% 2.5 ms CE`, or words where there is no figure. */
function tableEntry(cell: Cell | undefined): string {
  if (!cell) return '';
  if (!cell.summary) return cellMarks(cell) || cell.status;
  const marks = `${cellMarks(cell)}${cell.placement?.rule === 'every-cpu' ? '*' : ''}`;
  const rps = cell.summary.requestsPerSec;
  // A cell that answered nothing has no rate and no latency to show: say so in words.
  if (rps.max === 0) return `no answer${marks ? ` ${marks}` : ''}`;
  const spread = cell.trials.length > 1 ? ` ±${Math.round(rps.relSpread * 100)}%` : '';
  // Flags padded to one width, so that the figures of a column line up.
  return `${formatRate(rps.median)}/s${spread} ${latencyText(cell.summary.p99Us.median)} ${marks.padEnd(3)}`;
}

/** A borderless table of `rows` (the first is the header), the first two columns left-aligned, the rest right. */
function plainTable(rows: string[][]): string {
  const table = new Table({
    chars: Object.fromEntries(tableChars.map((c) => [c, ''])),
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    colAligns: (rows[0] ?? []).map((_, i) => (i < 2 ? 'left' : 'right')),
  });
  const [header = [], ...body] = rows;
  table.push(
    header,
    header.map((h) => '-'.repeat(h.length)),
    ...body,
  );
  return table
    .toString()
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n');
}

/** cli-table3's border pieces, every one blank: the table is aligned columns only. */
const tableChars = [
  'top',
  'top-mid',
  'top-left',
  'top-right',
  'bottom',
  'bottom-mid',
  'bottom-left',
  'bottom-right',
  'left',
  'left-mid',
  'mid',
  'mid-mid',
  'right',
  'right-mid',
  'middle',
];

/**
 * The closing table: one row per scenario and connection count, one column per model, split into
 * several tables of fewer models where all of them would not fit `width` (each repeats the row labels).
 */
export function resultsTable(results: Results, width = 80): string {
  const models = [...new Set(results.cells.map((c) => c.model))];
  const rows = [...new Set(results.cells.map((c) => `${c.scenario}\u0000${c.connections}`))].map(
    (key) => key.split('\u0000') as [string, string],
  );
  const entry = (model: string, [scenario, conns]: [string, string]) =>
    tableEntry(
      results.cells.find((c) => c.model === model && c.scenario === scenario && String(c.connections) === conns),
    );
  const columnWidth = (values: string[]) => Math.max(...values.map((v) => v.length)) + 2;
  const labels = columnWidth(['scenario', ...rows.map((r) => r[0])]) + columnWidth(['conns', ...rows.map((r) => r[1])]);
  const groups: string[][] = [[]];
  let used = labels;
  for (const model of models) {
    const w = columnWidth([model, ...rows.map((r) => entry(model, r))]);
    const group = groups[groups.length - 1] as string[];
    if (group.length > 0 && used + w > width) {
      groups.push([model]);
      used = labels + w;
    } else {
      group.push(model);
      used += w;
    }
  }
  const tables = groups.map((group) =>
    plainTable([['scenario', 'conns', ...group], ...rows.map((r) => [r[0], r[1], ...group.map((m) => entry(m, r))])]),
  );
  return [
    wrapText(
      'requests/s (median of trials ± their median absolute deviation) and p99 latency, per scenario and connections:',
      width,
    ),
    tables.join('\n\n'),
    wrapText(flagLegend, width),
    ...(results.cells.some((c) => c.placement?.rule === 'every-cpu')
      ? [
          wrapText(
            '* = server on every CPU, shared with the load generator (a parallel scenario: see the placement rule)',
            width,
          ),
        ]
      : []),
  ].join('\n');
}

/**
 * Our event loop against Node's own HTTP server, per scenario and connection
 * count where both ran: the reference a reader needs to place the model's figure.
 */
export function peerRatioLines(results: Results, model = 'event-loop', peer = 'node-http'): string[] {
  const lines: string[] = [];
  for (const ours of results.cells.filter((c) => c.model === model && c.summary)) {
    const theirs = results.cells.find(
      (c) => c.model === peer && c.scenario === ours.scenario && c.connections === ours.connections && c.summary,
    );
    if (!theirs?.summary || !ours.summary || theirs.summary.requestsPerSec.median === 0) continue;
    const ratio = ours.summary.requestsPerSec.median / theirs.summary.requestsPerSec.median;
    const bound =
      ours.flags.clientBound || theirs.flags.clientBound
        ? ' (client-bound: a lower bound, cross-check with --loadgen wrk)'
        : '';
    lines.push(
      `${model} / ${peer} on ${ours.scenario} c=${ours.connections}: ${ratio.toFixed(2)} (${formatRate(ours.summary.requestsPerSec.median)} vs ${formatRate(theirs.summary.requestsPerSec.median)} req/s)${bound}`,
    );
  }
  return lines;
}

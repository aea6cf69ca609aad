/**
 * What a run shows: a progress bar with the current cell and an ETA while it
 * runs (on a terminal), one line per finished cell, and at the end a table of
 * every model against every scenario with its flags. Rendering only: it reads
 * cells and results, it measures nothing.
 */
import cliProgress from 'cli-progress';
import type { Calibration, Cell, Results } from '../results/schema.ts';

const flagLegend =
  'C = client-bound (a lower bound for the server), E = errors/timeouts/non-2xx under load, W = starved: requests left waiting, B = busy machine: other processes took CPU, F = failed, S = skipped';

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

/** One line for a finished cell. */
export function cellLine(cell: Cell): string {
  const name = `${cell.model} ${cell.scenario} c=${cell.connections}${cell.rate ? ` open ${cell.rate.requested} (${formatRate(cell.rate.targetRps)}/s)` : cell.loadMode ? ` ${cell.loadMode}` : ''}`;
  if (cell.status !== 'ok' || !cell.summary) return `✗ ${name.padEnd(40)} ${cell.status}: ${cell.error ?? ''}`;
  const s = cell.summary;
  const marks = cellMarks(cell);
  if (s.requestsPerSec.max === 0)
    return `✓ ${name.padEnd(40)} answered no request in any trial  server cpu ${(s.cpuPerKiloReq.median * 1000).toFixed(1)} ms  rss ${Math.round(s.serverPeakRssBytes.median / 2 ** 20)} MiB${marks ? `  [${marks}]` : ''}`;
  const groups = s.groupP99Us
    ? `  ${Object.entries(s.groupP99Us)
        .map(([g, st]) => `${g} p99 ${formatUs(st.median)}`)
        .join(', ')}`
    : '';
  const count = s.instructionsPerRequest
    ? `  instructions/req ${Math.round(s.instructionsPerRequest.median).toLocaleString('en-US')} (blocks ±${(s.instructionsPerRequest.relSpread * 50).toFixed(1)}%)`
    : '';
  return `✓ ${name.padEnd(40)} ${formatRate(s.requestsPerSec.median).padStart(7)} req/s  p99 ${formatUs(s.p99Us.median).padStart(8)}  server cpu ${(s.cpuPerKiloReq.median * 1000).toFixed(1)} ms/kreq  rss ${Math.round(s.serverPeakRssBytes.median / 2 ** 20)} MiB  loadgen ${Math.round(s.loadgenCpuShare.median * 100)}%${marks ? `  [${marks}]` : ''}${groups}${count}`;
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

/** The closing table: one row per scenario and connection count, one column per model. */
export function resultsTable(results: Results): string {
  const models = [...new Set(results.cells.map((c) => c.model))];
  const rows = [...new Set(results.cells.map((c) => `${c.scenario}\u0000${c.connections}`))];
  const header = ['scenario', 'conns', ...models];
  const body = rows.map((key) => {
    const [scenario, conns] = key.split('\u0000') as [string, string];
    return [
      scenario,
      conns,
      ...models.map((model) => {
        const cell = results.cells.find(
          (c) => c.model === model && c.scenario === scenario && String(c.connections) === conns,
        );
        if (!cell) return '';
        if (!cell.summary) return cellMarks(cell) || cell.status;
        const marks = `${cellMarks(cell)}${cell.placement?.rule === 'every-cpu' ? '*' : ''}`;
        const rps = cell.summary.requestsPerSec;
        // A cell that answered nothing has no rate and no latency to show: say so in words.
        if (rps.max === 0) return `no answer${marks ? ` ${marks}` : ''}`;
        const spread = cell.trials.length > 1 ? ` ±${Math.round(rps.relSpread * 100)}%` : '';
        return `${formatRate(rps.median)}${spread} ${formatUs(cell.summary.p99Us.median)}${marks ? ` ${marks}` : ''}`;
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [
    'requests/s (median of trials ± their median absolute deviation) and p99 latency, per scenario and connections:',
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    flagLegend,
    ...(results.cells.some((c) => c.placement?.rule === 'every-cpu')
      ? ['* = server on every CPU, shared with the load generator (a parallel scenario: see the placement rule)']
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

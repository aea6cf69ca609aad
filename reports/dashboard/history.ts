/**
 * The history behind the dashboard: every readable results file in a folder,
 * ordered by commit time, and per cell the series of requests/s and p99 with the
 * regressions between consecutive runs, judged by the same logic as `compare`.
 */
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { compareResults, compareDefaults } from '../../bench/results/compare/compare.ts';
import type { CompareOptions } from '../../bench/results/compare/compare.ts';
import { cellKey } from '../../bench/results/compare/metrics.ts';
import { ResultsFileError, readResults } from '../../bench/results/file.ts';
import type { Results } from '../../bench/results/schema.ts';

/** One run found in the folder. */
export interface Run {
  path: string;
  results: Results;
  /** Commit time, or the run's start when the commit time is unknown. */
  time: string;
  /**
   * The run's x position: short commit sha (with a * when the tree was dirty) and the run's start,
   * `f92549c 11-30 10:05`, so that two runs of one commit are two points, not one tick joined by a
   * vertical line; the run id when there is no commit.
   */
  label: string;
}

/** One point of a cell's history. */
export interface HistoryPoint {
  model: string;
  scenario: string;
  connections: number;
  run: number;
  label: string;
  time: string;
  runId: string;
  rps: number;
  p99Us: number;
  /** Verdicts against the run just before (false when that run lacked the cell). */
  rpsRegressed: boolean;
  p99Regressed: boolean;
}

/** What the folder held. */
export interface History {
  runs: Run[];
  points: HistoryPoint[];
  /** One line per file that could not be read. */
  skipped: string[];
}

function resultsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.json')) found.push(path);
    // The harness writes results/<run-id>/results.json: look one level down too.
    else if (entry.isDirectory() && existsSync(join(path, 'results.json'))) found.push(join(path, 'results.json'));
  }
  return found.sort();
}

/** Read every results file in `dir`; broken or foreign files are skipped with a one-line reason. */
export function loadRuns(dir: string): { runs: Run[]; skipped: string[] } {
  const runs: Run[] = [];
  const skipped: string[] = [];
  for (const path of resultsFiles(dir)) {
    try {
      const results = readResults(path);
      const commit = results.git.commit;
      const started = results.startedAt.slice(5, 16).replace('T', ' ');
      const label = commit ? `${commit.slice(0, 7)}${results.git.dirty ? '*' : ''} ${started}` : results.runId;
      runs.push({ path, results, time: results.git.commitTime ?? results.startedAt, label });
    } catch (error) {
      if (!(error instanceof ResultsFileError)) throw error;
      skipped.push(error.message);
    }
  }
  runs.sort((a, b) => a.time.localeCompare(b.time) || a.results.startedAt.localeCompare(b.results.startedAt));
  // Two runs started in the same minute of one commit would share a position: number the later ones.
  const seen = new Map<string, number>();
  for (const run of runs) {
    const n = (seen.get(run.label) ?? 0) + 1;
    seen.set(run.label, n);
    if (n > 1) run.label = `${run.label} #${n}`;
  }
  return { runs, skipped };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/** Build the history; regressions use `compare` between consecutive runs (normalised when both runs have a calibration). */
export function buildHistory(dir: string, options: CompareOptions = compareDefaults): History {
  const { runs, skipped } = loadRuns(dir);
  const points: HistoryPoint[] = [];
  runs.forEach((run, index) => {
    const previous = runs[index - 1];
    const regressed = new Map<string, { rps: boolean; p99: boolean }>();
    if (previous) {
      const canNormalise = previous.results.calibration.length > 0 && run.results.calibration.length > 0;
      const comparison = compareResults(
        previous.results,
        run.results,
        canNormalise ? options : { ...options, mode: 'absolute' },
      );
      for (const cell of comparison.cells) {
        const verdict = (metric: string) => cell.rows.find((r) => r.metric === metric)?.verdict === 'regressed';
        regressed.set(cell.key, { rps: verdict('rps'), p99: verdict('p99') });
      }
    }
    for (const cell of run.results.cells) {
      if (cell.status !== 'ok' || cell.trials.length === 0) continue;
      const flags = regressed.get(cellKey(cell));
      points.push({
        model: cell.model,
        scenario: cell.scenario,
        connections: cell.connections,
        run: index,
        label: run.label,
        time: run.time,
        runId: run.results.runId,
        rps: median(cell.trials.map((t) => t.requestsPerSec)),
        p99Us: median(cell.trials.map((t) => t.latencyUs.p99)),
        rpsRegressed: flags?.rps ?? false,
        p99Regressed: flags?.p99 ?? false,
      });
    }
  });
  return { runs, points, skipped };
}

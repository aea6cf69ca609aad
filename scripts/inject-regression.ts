/**
 * Writes a copy of a results file in which one cell got slower: every trial's
 * requests/s and bytes/s scaled by FACTOR and its latencies divided by it, the
 * summary recomputed. CI uses it to prove, without the noise of a second run,
 * that `npm run compare` catches a regression and exits 1.
 *
 *   npx tsx scripts/inject-regression.ts <in.json> <out.json> [--cell model:scenario:conns] [--factor 0.7]
 */
import { parseArgs } from 'node:util';
import { readResults, writeResults, ResultsFileError } from '../bench/results/file.ts';
import { summarize } from '../bench/results/stats.ts';
import { cellKey } from '../bench/results/compare/metrics.ts';
import type { Latency, Trial } from '../bench/results/schema.ts';

function fail(message: string): never {
  console.error(`inject-regression: ${message}`);
  process.exit(2);
}

function slower(latency: Latency, factor: number): Latency {
  const scale = (us: number) => us / factor;
  return {
    ...latency,
    p50: scale(latency.p50),
    p90: scale(latency.p90),
    p99: scale(latency.p99),
    p999: scale(latency.p999),
    max: scale(latency.max),
    mean: scale(latency.mean),
    spectrum: latency.spectrum?.map(([p, us]) => [p, scale(us)] as [number, number]),
  };
}

function slowTrial(trial: Trial, factor: number): Trial {
  const requests = Math.round(trial.requests * factor);
  return {
    ...trial,
    requests,
    requestsPerSec: trial.requestsPerSec * factor,
    bytesPerSec: trial.bytesPerSec * factor,
    latencyUs: slower(trial.latencyUs, factor),
    groups:
      trial.groups &&
      Object.fromEntries(
        Object.entries(trial.groups).map(([name, g]) => [
          name,
          { requests: Math.round(g.requests * factor), latencyUs: slower(g.latencyUs, factor) },
        ]),
      ),
  };
}

function main(): void {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: { cell: { type: 'string' }, factor: { type: 'string', default: '0.7' } },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const [input, output] = parsed.positionals;
  if (!input || !output || parsed.positionals.length !== 2)
    fail('usage: inject-regression <in.json> <out.json> [--cell model:scenario:conns] [--factor 0.7]');
  const factor = Number(parsed.values.factor);
  if (!(factor > 0 && factor < 1)) fail(`--factor must be between 0 and 1 (exclusive), got "${parsed.values.factor}"`);

  let results;
  try {
    results = readResults(input);
  } catch (error) {
    fail(error instanceof ResultsFileError ? error.message : String(error));
  }
  const ok = results.cells.filter((c) => c.status === 'ok' && c.trials.length > 0);
  const wanted = parsed.values.cell;
  const cell = wanted ? ok.find((c) => cellKey(c) === wanted) : ok[0];
  if (!cell) fail(wanted ? `no measured cell ${wanted} in ${input}` : `no measured cell in ${input}`);

  cell.trials = cell.trials.map((t) => slowTrial(t, factor));
  cell.summary = summarize(cell.trials);
  writeResults(output, results);
  console.log(`${cellKey(cell)}: throughput ×${factor}, latency ÷${factor} → ${output}`);
}

main();

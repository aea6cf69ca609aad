/**
 * `server-models export <results.json> [--csv FILE] [--bmf FILE] [--benchmark-action PREFIX]`: one
 * run's cells as CSV, Bencher Metric Format or github-action-benchmark's JSON, without a baseline
 * (compare writes the last two from a comparison). Every output is checked before anything is
 * written; exit 2 on a bad flag, path or results file.
 */
import { FlagError, parseFlags } from '../bench/plan/args.ts';
import { fitHelp } from '../bench/results/text.ts';
import { outputWidth } from '../bench/run/display.ts';
import { cellsCsv, runBenchmarkAction, runBmf } from '../bench/results/export.ts';
import { ResultsFileError, readResults } from '../bench/results/file.ts';
import { checkOutputFile, OutputPathError, writeFileAtomic } from '../bench/results/output.ts';

const usage = `usage: server-models export <results.json> [options]
  --csv FILE               the cells as CSV: one row per cell, medians of its trials, units in the
                             column names (p99_us, server_cpu_ms_per_kreq), empty where there is no figure
  --bmf FILE               the cells in Bencher Metric Format (BMF JSON), median with min and max
  --benchmark-action PREFIX  PREFIX-bigger.json and PREFIX-smaller.json for github-action-benchmark
  --csv - prints the CSV on standard output
exit code: 0 when written, 2 on a bad flag, path or results file`;

function main(argv: string[]): number {
  const { values, positionals } = parseFlags(
    argv,
    {
      csv: { type: 'string' },
      bmf: { type: 'string' },
      'benchmark-action': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    } as const,
    { allowPositionals: true },
  );
  if (values.help) {
    process.stdout.write(`${fitHelp(usage, outputWidth(process.stdout))}\n`);
    return 0;
  }
  if (positionals.length !== 1)
    throw new UsageError(`expected one results file, got ${positionals.length}; see --help`);
  const prefix = values['benchmark-action'];
  const files: [string, string][] = [
    ...(values.csv && values.csv !== '-' ? [['--csv', values.csv] as [string, string]] : []),
    ...(values.bmf ? [['--bmf', values.bmf] as [string, string]] : []),
    ...(prefix
      ? (['bigger', 'smaller'].map((d) => ['--benchmark-action', `${prefix}-${d}.json`]) as [string, string][])
      : []),
  ];
  if (files.length === 0 && values.csv !== '-')
    throw new UsageError('nothing to export: give --csv, --bmf or --benchmark-action');
  for (const [flag, path] of files) checkOutputFile(path, `${flag} file`);
  const results = readResults(positionals[0] as string);
  if (values.csv === '-') process.stdout.write(cellsCsv(results));
  else if (values.csv) writeFileAtomic(values.csv, cellsCsv(results));
  if (values.bmf) writeFileAtomic(values.bmf, `${JSON.stringify(runBmf(results), null, 2)}\n`);
  if (prefix) {
    const { bigger, smaller } = runBenchmarkAction(results);
    writeFileAtomic(`${prefix}-bigger.json`, `${JSON.stringify(bigger, null, 2)}\n`);
    writeFileAtomic(`${prefix}-smaller.json`, `${JSON.stringify(smaller, null, 2)}\n`);
  }
  return 0;
}

/** A command line that asks for nothing or the wrong thing; one line. */
class UsageError extends Error {}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  const known = [UsageError, FlagError, ResultsFileError, OutputPathError];
  if (!known.some((kind) => error instanceof kind)) throw error;
  process.stderr.write(`export: ${(error as Error).message.split('\n')[0]}\n`);
  process.exitCode = 2;
}

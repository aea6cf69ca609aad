/**
 * npm run compare -- <baseline.json> <current.json> [--threshold 10] [--mode both|normalised|absolute]
 *   [--reference model:scenario:connections] [--markdown FILE] [--json FILE] [--benchmark-action PREFIX]
 * Exit 1 when any cell regressed, 0 otherwise, 2 on bad input or flags.
 */
import { parseFlags } from '../bench/plan/args.ts';
import { fitHelp } from '../bench/results/text.ts';
import { outputWidth } from '../bench/run/display.ts';
import { compareDefaults, compareResults } from '../bench/results/compare/compare.ts';
import { NormalisationError, parseReference } from '../bench/results/compare/metrics.ts';
import type { Mode } from '../bench/results/compare/metrics.ts';
import { benchmarkActionEntries, bmfEntries, renderMarkdown, renderTerminal } from '../bench/results/compare/render.ts';
import { ResultsFileError, readResults } from '../bench/results/file.ts';
import { checkOutputFile, OutputPathError, writeFileAtomic } from '../bench/results/output.ts';

const usage = `usage: npm run compare -- <baseline.json> <current.json> [options]
  --threshold PCT          smallest change that counts, in percent (default ${compareDefaults.threshold * 100})
  --mode both|normalised|absolute
                           normalised divides each run's figures by a reference measured in the same run;
                           absolute takes them as they are; both (default) calls a change only when the two agree
  --reference REF          calibration (default) or model:scenario:connections
  --markdown FILE          write a Markdown summary (job summary, PR comment)
  --json FILE              write the full comparison as JSON
  --benchmark-action PREFIX  write PREFIX-bigger.json and PREFIX-smaller.json for github-action-benchmark
  --bmf FILE               write the current run's figures in Bencher Metric Format (BMF JSON)
  --force                  compare runs whose configurations or cell sets differ (otherwise exit 2)
exit code: 1 when any cell regressed, 0 otherwise, 2 on bad input`;

function fail(message: string): never {
  process.stderr.write(`compare: ${message}\n`);
  process.exit(2);
}

function main(): number {
  let parsed;
  try {
    parsed = parseFlags(
      process.argv.slice(2),
      {
        threshold: { type: 'string' },
        mode: { type: 'string' },
        reference: { type: 'string' },
        markdown: { type: 'string' },
        json: { type: 'string' },
        'benchmark-action': { type: 'string' },
        bmf: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      } as const,
      { allowPositionals: true },
    );
  } catch (error) {
    fail((error as Error).message.split('\n')[0] as string);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${fitHelp(usage, outputWidth(process.stdout))}\n`);
    return 0;
  }
  if (positionals.length !== 2)
    fail(`expected two results files (baseline, current), got ${positionals.length}; see --help`);
  const threshold = values.threshold === undefined ? compareDefaults.threshold : Number(values.threshold) / 100;
  if (!Number.isFinite(threshold) || threshold < 0 || threshold >= 10)
    fail(`--threshold must be a percentage such as 10, got ${JSON.stringify(values.threshold)}`);
  const mode = (values.mode ?? compareDefaults.mode) as Mode;
  if (mode !== 'absolute' && mode !== 'normalised' && mode !== 'both')
    fail(`--mode must be both, normalised or absolute, got ${JSON.stringify(values.mode)}`);
  const reference = values.reference === undefined ? compareDefaults.reference : parseReference(values.reference);
  if (!reference)
    fail(`--reference must be calibration or model:scenario:connections, got ${JSON.stringify(values.reference)}`);

  const prefix = values['benchmark-action'];
  const outputs = [
    ...(values.markdown ? [['--markdown', values.markdown]] : []),
    ...(values.json ? [['--json', values.json]] : []),
    ...(values.bmf ? [['--bmf', values.bmf]] : []),
    ...(prefix
      ? [
          ['--benchmark-action', `${prefix}-bigger.json`],
          ['--benchmark-action', `${prefix}-smaller.json`],
        ]
      : []),
  ];
  try {
    // Every output checked before anything is read or written: a bad path costs nothing and leaves nothing.
    for (const [flag, path] of outputs) checkOutputFile(path as string, `${flag} file`);
  } catch (error) {
    if (error instanceof OutputPathError) fail(error.message);
    throw error;
  }
  let comparison;
  try {
    const [baseline, current] = positionals.map((p) => readResults(p));
    comparison = compareResults(baseline!, current!, { mode, reference, threshold });
  } catch (error) {
    if (error instanceof ResultsFileError || error instanceof NormalisationError) fail(error.message);
    throw error;
  }
  if (comparison.mismatches.length > 0 && !values.force)
    fail(
      `the runs are not the same measurement: ${comparison.mismatches[0]}${comparison.mismatches.length > 1 ? ` (and ${comparison.mismatches.length - 1} more)` : ''}; --force compares them anyway`,
    );
  process.stdout.write(renderTerminal(comparison, outputWidth(process.stdout)));
  try {
    if (values.markdown) writeFileAtomic(values.markdown, renderMarkdown(comparison));
    if (values.json) writeFileAtomic(values.json, `${JSON.stringify(comparison, null, 2)}\n`);
    if (values.bmf) writeFileAtomic(values.bmf, `${JSON.stringify(bmfEntries(comparison), null, 2)}\n`);
    if (prefix) {
      const { bigger, smaller } = benchmarkActionEntries(comparison);
      writeFileAtomic(`${prefix}-bigger.json`, `${JSON.stringify(bigger, null, 2)}\n`);
      writeFileAtomic(`${prefix}-smaller.json`, `${JSON.stringify(smaller, null, 2)}\n`);
    }
  } catch (error) {
    if (error instanceof OutputPathError) fail(error.message);
    throw error;
  }
  return comparison.regressed ? 1 : 0;
}

process.exitCode = main();

/**
 * npm run dashboard -- <results-dir> [--out DIR]
 * Build the history dashboard (DIR/index.html, default <results-dir>/dashboard) from every results file in a folder.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseFlags } from '../bench/plan/args.ts';
import { checkOutputDir, OutputPathError, writeFileAtomic } from '../bench/results/output.ts';
import { buildHistory } from '../reports/dashboard/history.ts';
import { renderDashboard } from '../reports/dashboard/page.ts';

function fail(message: string): never {
  process.stderr.write(`dashboard: ${message}\n`);
  process.exit(2);
}

function main(): void {
  let parsed;
  try {
    parsed = parseFlags(
      process.argv.slice(2),
      { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const,
      { allowPositionals: true },
    );
  } catch (error) {
    fail((error as Error).message.split('\n')[0] as string);
  }
  if (parsed.values.help) {
    process.stdout.write('usage: npm run dashboard -- <results-dir> [--out DIR]\n');
    return;
  }
  const [dir, ...extra] = parsed.positionals;
  if (!dir || extra.length) fail('expected one results folder; see --help');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail(`${dir} is not a folder`);
  const out = resolve(parsed.values.out ?? join(dir, 'dashboard'));
  try {
    checkOutputDir(out, 'dashboard folder');
  } catch (error) {
    if (error instanceof OutputPathError) fail(error.message);
    throw error;
  }
  const history = buildHistory(dir);
  for (const line of history.skipped) process.stderr.write(`skipped: ${line}\n`);
  if (history.runs.length === 0) fail(`no readable results files in ${dir}`);
  const page = join(out, 'index.html');
  try {
    writeFileAtomic(page, renderDashboard(history, out));
  } catch (error) {
    if (error instanceof OutputPathError) fail(error.message);
    throw error;
  }
  const regressions = history.points.filter((p) => p.rpsRegressed || p.p99Regressed).length;
  process.stdout.write(
    `${page}: ${history.runs.length} run(s), ${history.points.length} points, ${regressions} regression point(s), ${history.skipped.length} file(s) skipped\n`,
  );
}

main();

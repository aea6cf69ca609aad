/**
 * `npm run report -- <results.json> [--out DIR]`: charts (SVG, PNG), report.html and
 * summary.md for one results file. Exit 2 on a bad flag or an unusable file.
 */
import { parseFlags } from '../bench/plan/args.ts';
import { ResultsFileError } from '../bench/results/file.ts';
import { OutputPathError } from '../bench/results/output.ts';
import { renderReport } from '../reports/render.ts';

const usage = 'usage: npm run report -- <results.json> [--out DIR]';

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const, {
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`report: ${(error as Error).message.split('\n')[0]} (${usage})`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  const [path, ...extra] = parsed.positionals;
  if (!path || extra.length) {
    console.error(`report: expected one results file (${usage})`);
    return 2;
  }
  try {
    const out = await renderReport(path, parsed.values.out);
    console.log(`report: ${out.html}`);
    console.log(`summary: ${out.markdown}`);
    return 0;
  } catch (error) {
    if (error instanceof ResultsFileError || error instanceof OutputPathError) {
      console.error(`report: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));

/**
 * `npm run conformance -- <vectors.json> [--verbose]`: run a file of llhttp request
 * vectors against our parser. One line per failing vector, then `N passed, N failed[, N skipped]`.
 * Exit 0 when all pass, 1 when any fails, 2 on a usage error or an unusable file.
 */
import { parseArgs } from 'node:util';
import { runConformance, summaryLine } from './conformance/runner.ts';
import { readVectors, VectorFileError } from './conformance/vectors.ts';

/** The llhttp request vectors shipped with the project. */
const bundled = 'test/fixtures/llhttp/llhttp-requests.json';

function main(): number {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: { verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    console.error(`conformance: ${(error as Error).message}`);
    return 2;
  }
  if (args.values.help) {
    console.log(
      `usage: npm run conformance [-- <vectors.json>] [--verbose]   (default: the bundled llhttp vectors, ${bundled})`,
    );
    return 0;
  }
  if (args.positionals.length > 1) {
    console.error(`conformance: expected one vectors file, got ${args.positionals.length}`);
    return 2;
  }
  let vectors;
  try {
    vectors = readVectors(args.positionals[0] ?? bundled);
  } catch (error) {
    if (!(error instanceof VectorFileError)) throw error;
    console.error(`conformance: ${error.message}`);
    return 2;
  }
  const summary = runConformance(vectors);
  for (const result of summary.results) {
    if (result.status === 'failed') console.log(`FAIL ${result.id}: ${result.problem}`);
    else if (result.status === 'skipped' && args.values.verbose)
      console.log(`skip ${result.id}: ${result.skip.reason} [${result.skip.clause}]`);
  }
  console.log(summaryLine(summary));
  return summary.failed > 0 ? 1 : 0;
}

process.exitCode = main();

/**
 * `npm run findings -- <results.json> [--json]`: the classic findings evaluated
 * on a results file, as a table (or JSON). Findings are reported, not enforced:
 * exit 0 whatever they say; 2 on a bad flag or an unusable file.
 */
import { parseFlags } from '../bench/plan/args.ts';
import { readResults, ResultsFileError } from '../bench/results/file.ts';
import { evaluateFindings } from '../reports/findings/evaluate.ts';
import type { Finding } from '../reports/findings/types.ts';

const usage = 'usage: npm run findings -- <results.json> [--json]';

const label: Record<Finding['status'], string> = {
  held: 'held',
  'not-held': 'NOT HELD',
  'not-measured': 'not measured',
};

/** The terminal table: one block per finding, its verdict, key figures, detail and explanation. */
function renderFindings(findings: Finding[]): string {
  const lines: string[] = [];
  findings.forEach((f, i) => {
    lines.push(`${i + 1}. ${label[f.status].padEnd(12)}  ${f.title}`);
    const figures = Object.entries(f.figures)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ');
    if (figures) lines.push(`   ${figures}`);
    lines.push(`   ${f.detail}`);
    if (f.explanation) lines.push(`   why: ${f.explanation}`);
  });
  const count = (s: Finding['status']) => findings.filter((f) => f.status === s).length;
  lines.push('', `${count('held')} held, ${count('not-held')} not held, ${count('not-measured')} not measured`);
  return lines.join('\n');
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const, {
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`findings: ${(error as Error).message.split('\n')[0]} (${usage})`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(usage);
    return 0;
  }
  if (parsed.positionals.length !== 1) {
    console.error(`findings: expected one results file, got ${parsed.positionals.length} (${usage})`);
    return 2;
  }
  try {
    const results = readResults(parsed.positionals[0]!);
    const findings = evaluateFindings(results);
    console.log(
      parsed.values.json
        ? JSON.stringify(findings, null, 2)
        : `Findings for run ${results.runId} (${results.machine.cores} cores, server CPUs ${results.config.serverCpus ?? 'unpinned'})\n\n${renderFindings(findings)}`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ResultsFileError) {
      console.error(`findings: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

process.exitCode = main(process.argv.slice(2));

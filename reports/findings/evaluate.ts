/**
 * The classic findings, evaluated on a results file. Each check lives in its
 * own module with its threshold and source; this file only lists them in order.
 * Read by `npm run findings`, the HTML report and the Markdown summary.
 */
import type { Results } from '../../bench/results/schema.ts';
import type { Finding } from './types.ts';
import { evaluateIoConcurrency } from './io-concurrency.ts';
import { evaluateBlockingQueue } from './blocking-queue.ts';
import { evaluateCpuParallelism } from './cpu-parallelism.ts';
import { evaluateHeadOfLine } from './head-of-line.ts';
import { evaluateProcessStartup } from './process-startup.ts';
import { evaluateConnectionSetup } from './connection-setup.ts';
import { evaluateDatabaseConnection } from './database-connection.ts';

/** The checks in the order issue 8 numbers them, then issue 14's. */
export const findingChecks: ReadonlyArray<(results: Results) => Finding> = [
  evaluateIoConcurrency,
  evaluateBlockingQueue,
  evaluateCpuParallelism,
  evaluateHeadOfLine,
  evaluateProcessStartup,
  evaluateConnectionSetup,
  evaluateDatabaseConnection,
];

/** Every finding, held / not-held / not-measured, with the figures behind it. */
export function evaluateFindings(results: Results): Finding[] {
  return findingChecks.map((check) => check(results));
}

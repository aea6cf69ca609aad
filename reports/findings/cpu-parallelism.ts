/**
 * Finding 3: CPU-bound handlers run one at a time on an event loop; a worker
 * pool runs them in parallel, one per CPU the server may use.
 */
import type { Results } from '../../bench/results/schema.ts';
import type { Finding } from './types.ts';
import { cellCaveats, commonLevels, findCell, M, round, serverCpuCount, serverCpuList } from './cells.ts';
import type { MeasuredCell } from './cells.ts';

export const cpuParallelism = { scenario: 'cpu', minRatio: 1.5, minCpus: 2, minConnections: 2 };

const head = {
  id: 'cpu-worker-pool-vs-event-loop',
  title: 'CPU work: worker pool vs event loop',
  claim: `On CPU-bound work with ≥ ${cpuParallelism.minCpus} CPUs, the worker pool serves ≥ ${cpuParallelism.minRatio}× the single event loop's throughput.`,
  source:
    'Welsh, Culler & Brewer, "SEDA", SOSP 2001, and Pai et al., Flash (AMPED), USENIX 1999: helpers off the event loop use the other CPUs. ' +
    'Ideal ratio is the CPU count (2 here) less dispatch costs; 1.5× is three quarters of the ideal on two CPUs.',
};

export function evaluateCpuParallelism(results: Results): Finding {
  const { scenario, minRatio, minCpus, minConnections } = cpuParallelism;
  const levels = commonLevels(results, scenario, [M.eventLoop, M.workerPool]).filter((n) => n >= minConnections);
  const level = levels.at(-1);
  if (level === undefined) {
    return {
      ...head,
      status: 'not-measured',
      figures: {},
      detail: `Needs measured cpu cells of the event loop and the worker pool at one level of ≥ ${minConnections} connections (there must be work to spread).`,
    };
  }
  const loop = findCell(results, M.eventLoop, scenario, level) as MeasuredCell;
  const pool = findCell(results, M.workerPool, scenario, level) as MeasuredCell;
  // Both cells must have had the CPUs: the smaller of the two counts is what the comparison had.
  const serverCpus = Math.min(serverCpuCount(results, pool), serverCpuCount(results, loop));
  const ratio = pool.summary.requestsPerSec.median / Math.max(loop.summary.requestsPerSec.median, 1e-9);
  const figures = {
    connections: level,
    cpuUnits: String(results.scenarios.find((s) => s.name === scenario)?.params.cpuUnits ?? 'not recorded'),
    eventLoopRps: round(loop.summary.requestsPerSec.median),
    workerPoolRps: round(pool.summary.requestsPerSec.median),
    ratio: round(ratio),
    threshold: minRatio,
    machineCores: results.machine.cores,
    serverCpus: serverCpus,
    serverCpuList: serverCpuList(results, pool),
  };
  const detail = `At ${level} connections the worker pool served ${figures.workerPoolRps} req/s and the event loop ${figures.eventLoopRps} req/s: ${figures.ratio}× (threshold ${minRatio}×), with ${serverCpus} CPU(s) open to the server on a ${results.machine.cores}-core machine.`;
  if (ratio >= minRatio && serverCpus >= minCpus) return { ...head, status: 'held', figures, detail };
  if (results.machine.cores < minCpus)
    return {
      ...head,
      status: 'not-measured',
      figures,
      detail: `Not measurable here: the machine has ${results.machine.cores} CPU, and parallelism needs ≥ ${minCpus}. ${detail}`,
    };
  const reasons = [...cellCaveats(pool), ...cellCaveats(loop)];
  if (serverCpus < minCpus)
    reasons.push(
      `the server was pinned to ${serverCpus} CPU (taskset ${serverCpuList(results, pool)}), so its workers could not run in parallel: rerun with --server-cpus covering ≥ ${minCpus} CPUs (the load generator then shares them)`,
    );
  if (ratio >= minRatio && serverCpus < minCpus)
    reasons.push(
      'the ratio passed, but without two CPUs for the server it cannot come from parallelism, so the finding is not counted as held',
    );
  if (reasons.length === 0)
    reasons.push(
      'no flag explains it: dispatch to the pool (message passing, copies) may cost as much as the work at this CPU cost',
    );
  return { ...head, status: 'not-held', figures, detail, explanation: `${reasons.join('; ')}.` };
}

/**
 * Finding 5: a process per request pays a process start-up for every request,
 * so throughput cannot pass (CPUs / start-up time). The start-up time is read
 * from the process-per-request cell itself: its server CPU per request (the
 * whole process tree, children included), which a new Node process dominates.
 */
import type { Results } from '../../bench/results/schema.ts';
import type { Finding } from './types.ts';
import { cellCaveats, findCell, isMeasured, M, round, serverCpuCount } from './cells.ts';
import type { MeasuredCell } from './cells.ts';

/** "About the number of CPUs": the product may exceed the CPU count by this factor (noise, sampling). */
export const processStartup = { scenarios: ['hello', 'close'], tolerance: 1.25 };

const head = {
  id: 'process-per-request-startup-bound',
  title: 'Process per request: bounded by start-up',
  claim: `Process-per-request throughput is bounded by process start-up: requests/s × start-up time per request ≤ about the number of CPUs open to the server (≤ ${processStartup.tolerance} × CPUs: the taskset list, else machine.cores).`,
  source:
    'Stevens, UNIX Network Programming vol. 1, ch. 30 (fork per client vs preforking: the per-client fork dominates); Pai et al., Flash (MP model). ' +
    'Start-up is estimated as the server CPU seconds per request of the process-per-request cell (children included); latency at 1 connection is shown as a wall-clock cross-check.',
};

export function evaluateProcessStartup(results: Results): Finding {
  for (const scenario of processStartup.scenarios) {
    const cells = results.cells.filter((c) => c.model === M.perRequest && c.scenario === scenario).filter(isMeasured);
    if (cells.length > 0) return judge(results, scenario, cells);
  }
  return {
    ...head,
    status: 'not-measured',
    figures: {},
    detail: `Needs a measured process-per-request cell in ${processStartup.scenarios.join(' or ')}.`,
  };
}

function judge(results: Results, scenario: string, cells: MeasuredCell[]): Finding {
  // The busiest cell is the one that shows the bound, if any does.
  const top = cells.reduce((a, b) => (b.summary.requestsPerSec.median > a.summary.requestsPerSec.median ? b : a));
  const rps = top.summary.requestsPerSec.median;
  const startupSec = top.summary.cpuPerKiloReq.median / 1000;
  const product = rps * startupSec;
  const one = findCell(results, M.perRequest, scenario, 1);
  const serverCpus = serverCpuCount(results);
  const figures: Record<string, number | string> = {
    scenario,
    connections: top.connections,
    requestsPerSec: round(rps),
    startupMsPerRequest: round(startupSec * 1000),
    startupSource: 'server CPU per request (process tree)',
    busyCpus: round(product),
    machineCores: results.machine.cores,
    serverCpus,
  };
  if (isMeasured(one)) figures.p50UsAt1Connection = round(one.summary.p50Us.median);
  const detail =
    `At ${top.connections} connections process-per-request served ${figures.requestsPerSec} req/s at ${figures.startupMsPerRequest} ms of server CPU per request (start-up dominated), ` +
    `so ${figures.busyCpus} CPUs were busy starting processes, against ${results.machine.cores} cores (${serverCpus} open to the server). ` +
    `Its ceiling is ≈ ${round(serverCpus / Math.max(startupSec, 1e-9))} req/s.`;
  if (startupSec <= 0)
    return {
      ...head,
      status: 'not-measured',
      figures,
      detail: 'The cell recorded no server CPU time, so start-up cannot be estimated.',
    };
  // Judged against the CPUs the server could use: pinned to one CPU of two, it cannot keep two busy.
  if (product <= processStartup.tolerance * serverCpus) return { ...head, status: 'held', figures, detail };
  const reasons = [...cellCaveats(top)];
  reasons.push(
    `more CPU-seconds per second than the server's ${serverCpus} CPU(s) means the process-tree CPU sampling over-counted (children that exited between samples, or CPU outside the pinned set) or the cell's duration was mis-recorded`,
  );
  return { ...head, status: 'not-held', figures, detail, explanation: `${reasons.join('; ')}.` };
}

/**
 * Results files for the findings tests: a grid where every classic finding
 * holds, built on the shared synthetic builder, and small edits that break one.
 */
import type { Results } from '../../bench/results/schema.ts';
import type { SyntheticCell } from '../helpers/synthetic-results.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

/** Cells in which all seven findings hold on an unpinned 2-core machine. */
export function heldCells(): SyntheticCell[] {
  const c: SyntheticCell[] = [];
  // 1 and 2: io, blocking flat at ~50 req/s with p99 ∝ connections; event loop ≈ 48 × connections.
  for (const n of [1, 16, 64]) {
    c.push({ model: 'blocking', scenario: 'io', connections: n, rps: 49, p99Us: n * 21_000 });
    c.push({ model: 'event-loop', scenario: 'io', connections: n, rps: 48 * n, p99Us: 22_000 });
  }
  // 3: cpu, pool 1.8× the loop.
  c.push({ model: 'event-loop', scenario: 'cpu', connections: 16, rps: 200, p99Us: 80_000 });
  c.push({ model: 'worker-pool', scenario: 'cpu', connections: 16, rps: 360, p99Us: 45_000 });
  // 4: mixed, one cost level; the loop's cheap p99 8× the pool's.
  c.push({
    model: 'event-loop',
    scenario: 'mixed',
    connections: 16,
    rps: 1500,
    groups: { cheap: 40_000, expensive: 45_000 },
  });
  c.push({
    model: 'worker-pool',
    scenario: 'mixed',
    connections: 16,
    rps: 3000,
    groups: { cheap: 5_000, expensive: 20_000 },
  });
  // 5: process per request at 40 req/s; the builder charges 0.05 ms CPU per request, overridden below.
  c.push({ model: 'process-per-request', scenario: 'hello', connections: 16, rps: 40 });
  // 6: hello vs close at 16 connections.
  for (const [m, hello, close] of [
    ['blocking', 2_000, 1_500],
    ['event-loop', 30_000, 6_000],
    ['worker-pool', 12_000, 5_000],
  ] as const) {
    c.push({ model: m, scenario: 'hello', connections: 16, rps: hello });
    c.push({ model: m, scenario: 'close', connections: 16, rps: close });
  }
  // 7: db at 2 connections; resultsOf gives them the database server's CPU per request.
  c.push({ model: 'process-per-request', scenario: 'db', connections: 2, rps: 35 });
  c.push({ model: 'event-loop', scenario: 'db', connections: 2, rps: 4_000 });
  return c;
}

/** The database server's CPU per request of finding 7's cells (ms, the same as s per 1,000 requests). */
export const heldDbCpuMs = { 'process-per-request': 1.2, 'event-loop': 0.08 } as const;

/** A results file from cells, with the scenario costs the checks read and an unpinned server. */
export function resultsOf(cells: SyntheticCell[], edit: (r: Results) => void = () => {}): Results {
  // No trial noise: the tests check figures exactly.
  const r = syntheticResults(cells.map((c) => ({ noise: 0, ...c })));
  r.config.serverCpus = null;
  r.config.clientCpus = null;
  for (const s of r.scenarios) {
    if (s.name === 'io') s.params = { backendWaitMs: 20 };
    if (s.name === 'cpu' || s.name === 'mixed') s.params = { cpuUnits: 10 };
  }
  // A Node process start costs tens of ms of CPU: 40 ms per request, as measured order of magnitude.
  for (const cell of r.cells)
    if (cell.model === 'process-per-request' && cell.summary)
      cell.summary.cpuPerKiloReq = { median: 40, min: 40, max: 40, relSpread: 0 };
  for (const cell of r.cells) {
    const ms = heldDbCpuMs[cell.model as keyof typeof heldDbCpuMs];
    if (cell.scenario === 'db' && cell.summary && ms !== undefined)
      cell.summary.dbCpuPerKiloReq = { median: ms, min: ms, max: ms, relSpread: 0 };
  }
  edit(r);
  return r;
}

/** Replace the cells matching a predicate. */
export function without(cells: SyntheticCell[], drop: (c: SyntheticCell) => boolean): SyntheticCell[] {
  return cells.filter((c) => !drop(c));
}

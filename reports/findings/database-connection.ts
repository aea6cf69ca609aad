/**
 * Finding 7: process-per-request pays the database a connection per request. A CGI-style child
 * opens its own connection, and PostgreSQL answers every new connection with a new backend
 * process (forked by the postmaster, initialised, authenticated, ended when the child goes),
 * where a pooled model sends its query on a connection that is already open. The cost shows in
 * the database server's own CPU per request (`dbCpuPerKiloReq`, the postgres process tree),
 * read from the `db` cells of process-per-request and the event loop at the same connection level,
 * less the database's idle CPU (its background processes, measured at its start: `idleCpuPerSec`),
 * which would otherwise weigh on the few requests of the slow cell.
 */
import type { Results } from '../../bench/results/schema.ts';
import type { Finding } from './types.ts';
import { cellCaveats, commonLevels, findCell, M, round } from './cells.ts';
import type { MeasuredCell } from './cells.ts';

/**
 * The database server's CPU per request of process-per-request must be at least `minRatio` × the
 * event loop's. A pooled primary-key SELECT costs PostgreSQL tens of microseconds of CPU; a new
 * connection adds a fork, a backend's start (catalog caches, the SCRAM-SHA-256 exchange the
 * embedded cluster asks for) and its exit: by our estimate about a millisecond, ten times or more.
 * 3× leaves room for the pooled side's share of the background processes (WAL writer,
 * checkpointer) and for sampling; docs/data-tier.md gives the ratios measured here.
 */
export const databaseConnection = { scenario: 'db', minRatio: 3 };

const head = {
  id: 'process-per-request-database-connection',
  title: 'Process per request: a database connection per request',
  claim: `In ${databaseConnection.scenario}, process-per-request costs the database server ≥ ${databaseConnection.minRatio}× the CPU per request of the event loop: each request's child opens a connection of its own, and PostgreSQL starts a backend process for each, where the event loop's pool reuses open ones.`,
  source:
    'PostgreSQL documentation, "How Connections Are Established" (the postmaster starts a new backend process for every connection); ' +
    "the CGI model (RFC 3875: a new process per request, so no connection outlives it) against a connection pool (TechEmpower's test requirements ask for one). " +
    'Threshold (our estimate, checked by the runs in docs/data-tier.md): a pooled query costs the database tens of microseconds, a connection start about a millisecond; 3× leaves room for the background processes and sampling.',
};

type WithDatabase = MeasuredCell & {
  summary: MeasuredCell['summary'] & { dbCpuPerKiloReq: NonNullable<MeasuredCell['summary']['dbCpuPerKiloReq']> };
};

const hasDatabaseCpu = (cell: MeasuredCell): cell is WithDatabase => cell.summary.dbCpuPerKiloReq !== undefined;

export function evaluateDatabaseConnection(results: Results): Finding {
  const { scenario } = databaseConnection;
  const levels = commonLevels(results, scenario, [M.perRequest, M.eventLoop]);
  const level = levels.at(-1);
  if (level === undefined)
    return {
      ...head,
      status: 'not-measured',
      figures: {},
      detail: `Needs measured ${M.perRequest} and ${M.eventLoop} cells in ${scenario} at the same connection level.`,
    };
  const ppr = findCell(results, M.perRequest, scenario, level) as MeasuredCell;
  const loop = findCell(results, M.eventLoop, scenario, level) as MeasuredCell;
  if (!hasDatabaseCpu(ppr) || !hasDatabaseCpu(loop))
    return {
      ...head,
      status: 'not-measured',
      figures: { scenario, connections: level },
      detail:
        "Needs the database server's CPU per request of both cells: it is not measured for a database server the harness did not start (--db-url).",
    };
  const idle = (results.config.extra?.database as { idleCpuPerSec?: number } | undefined)?.idleCpuPerSec ?? 0;
  return judge(scenario, level, ppr, loop, idle);
}

/** The database's CPU per request of a cell in ms, less the idle share of its requests. */
function busyMs(cell: WithDatabase, idleCpuPerSec: number): number {
  // dbCpuPerKiloReq is CPU seconds per 1,000 requests: the same figure is milliseconds per request.
  const rps = cell.summary.requestsPerSec.median;
  return Math.max(0, cell.summary.dbCpuPerKiloReq.median - (rps > 0 ? (idleCpuPerSec * 1000) / rps : 0));
}

function judge(scenario: string, level: number, ppr: WithDatabase, loop: WithDatabase, idle: number): Finding {
  const pprMs = busyMs(ppr, idle);
  const loopMs = busyMs(loop, idle);
  const ratio = loopMs > 0 ? pprMs / loopMs : Number.POSITIVE_INFINITY;
  const figures: Record<string, number | string> = {
    scenario,
    connections: level,
    perRequestDbCpuMs: round(pprMs),
    eventLoopDbCpuMs: round(loopMs),
    ratio: round(ratio),
    idleDbCpuMsPerSec: round(idle * 1000),
    perRequestRps: round(ppr.summary.requestsPerSec.median),
    eventLoopRps: round(loop.summary.requestsPerSec.median),
  };
  if (ppr.summary.dbConnections) figures.perRequestDbConnections = Math.round(ppr.summary.dbConnections.max);
  if (loop.summary.dbConnections) figures.eventLoopDbConnections = Math.round(loop.summary.dbConnections.max);
  if (pprMs <= 0)
    return {
      ...head,
      status: 'not-measured',
      figures,
      detail:
        "The process-per-request cell recorded no database server CPU beyond the database's idle share, so the connection's cost cannot be read.",
    };
  const detail =
    `At ${level} connections the database server spent ${figures.perRequestDbCpuMs} ms of CPU per process-per-request request (its idle ${figures.idleDbCpuMsPerSec} ms/s taken out) ` +
    `against ${figures.eventLoopDbCpuMs} ms per event-loop request (${figures.ratio}×): ` +
    `the cost of a PostgreSQL backend started and ended for every request, which the event loop's pool pays once.`;
  // Requests that timed out still had a child asking the database: its figure per answered request is then high.
  const late = ppr.flags.errored
    ? ` The process-per-request cell had timeouts or errors: the database also served children whose answers came too late, so its figure is an upper bound.`
    : '';
  if (ratio >= databaseConnection.minRatio) return { ...head, status: 'held', figures, detail: `${detail}${late}` };
  const reasons = [...cellCaveats(ppr), ...cellCaveats(loop)];
  reasons.push(
    'a database server shared with other clients charges their work to both cells, and a pooled cell whose requests are few carries the background processes (WAL writer, checkpointer) alone',
  );
  return { ...head, status: 'not-held', figures, detail: `${detail}${late}`, explanation: `${reasons.join('; ')}.` };
}

/**
 * What a database scenario's cell shows beside the usual figures: the database server's CPU per
 * 1,000 requests and the connections the web server held, on the cell's line and in a closing
 * table, so a reader sees whether the web server or the database was the limit. Rendering only.
 */
import type { Cell, Results } from '../results/schema.ts';

type Summary = NonNullable<Cell['summary']>;

/** `db cpu 0.9 ms/kreq`, `8 db conns` for a database scenario's cell, nothing for the others. */
export function databaseParts(s: Summary): string[] {
  return [
    s.dbCpuPerKiloReq ? `db cpu ${(s.dbCpuPerKiloReq.median * 1000).toFixed(1)} ms/kreq` : '',
    s.dbConnections ? `${Math.round(s.dbConnections.max)} db conns` : '',
  ].filter(Boolean);
}

/**
 * Where a database scenario's time went, per cell: the web server's CPU beside the database
 * server's, per 1,000 requests, the database's peak RSS, the connections the server held and the
 * cache that answered cached-queries.
 */
export function databaseLines(results: Results): string[] {
  const cells = results.cells.filter((c) => c.summary?.dbCpuPerKiloReq || c.summary?.dbConnections);
  if (cells.length === 0) return [];
  return [
    'database scenarios: server CPU vs database server CPU (ms per 1,000 requests), database peak RSS, connections held:',
    ...cells.map((c) => {
      const s = c.summary as Summary;
      const db = s.dbCpuPerKiloReq ? (s.dbCpuPerKiloReq.median * 1000).toFixed(1) : 'not measured';
      const rss = s.dbPeakRssBytes ? `${Math.round(s.dbPeakRssBytes.median / 2 ** 20)} MiB` : '-';
      const conns = s.dbConnections ? Math.round(s.dbConnections.max) : '-';
      const name = `${c.scenario} c=${c.connections} ${c.model}`.padEnd(40);
      const cache = c.cache ? `  cache ${c.cache}` : '';
      return `  ${name} server ${(s.cpuPerKiloReq.median * 1000).toFixed(1).padStart(7)}  database ${db.padStart(7)}  rss ${rss}  conns ${conns}${cache}`;
    }),
  ];
}

/**
 * TechEmpower's database tests as routes: GET /db, /queries, /fortunes,
 * /updates and /cached-queries. Written once against AppIO's `database`; the
 * core behind it decides how the queries wait. Without a database, 503.
 */
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';
import type { Database, World } from '../io.ts';
import { queryParam, reply, text } from '../responses.ts';
import { fortunesPage } from './fortunes.ts';
import { worldRows } from './settings.ts';

/** The routes of this module. */
export type DatabaseRouteName = 'db' | 'queries' | 'fortunes' | 'updates' | 'cached-queries';

/** Most rows one request of /queries, /updates or /cached-queries asks for (TechEmpower's bound). */
export const maxQueries = 500;

export const noDatabaseBody =
  'No database is configured for this server: start it with --db embedded or --db-url postgres://...\n';

export async function serveDatabase(
  name: DatabaseRouteName,
  req: HttpRequest,
  database: Database | undefined,
): Promise<HttpResponse> {
  if (database === undefined) return text(503, noDatabaseBody, [['Retry-After', '3600']]);
  switch (name) {
    case 'db':
      return json((await database.worlds([randomId()]))[0]);
    case 'queries':
      return json(await database.worlds(randomIds(queryCount(queryParam(req.query, 'queries')))));
    case 'cached-queries':
      return json(await database.cachedWorlds(randomIds(queryCount(queryParam(req.query, 'count')))));
    case 'fortunes':
      return reply(200, [['Content-Type', 'text/html; charset=utf-8']], fortunesPage(await database.fortunes()));
    case 'updates': {
      const read = await database.worlds(distinctRandomIds(queryCount(queryParam(req.query, 'queries'))));
      const changed = read.map((row) => ({ id: row.id, randomNumber: otherRandomNumber(row.randomNumber) }));
      await database.saveWorlds(changed);
      return json(changed);
    }
  }
}

/**
 * TechEmpower's rule for the count: missing, not an integer or below 1 is 1; above 500 is 500.
 */
export function queryCount(raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw)) return 1;
  return Math.min(maxQueries, Math.max(1, Number(raw)));
}

function json(value: World | World[] | undefined): HttpResponse {
  return reply(200, [['Content-Type', 'application/json']], JSON.stringify(value));
}

const randomId = (): number => 1 + Math.floor(Math.random() * worldRows);

function randomIds(count: number): number[] {
  return Array.from({ length: count }, randomId);
}

/** Distinct ids, so that a batch of updates says one new number per row. */
function distinctRandomIds(count: number): number[] {
  const ids = new Set<number>();
  while (ids.size < count) ids.add(randomId());
  return [...ids];
}

/** A new random number that differs from the old, so that a write that did not happen shows. */
function otherRandomNumber(old: number): number {
  const next = 1 + Math.floor(Math.random() * (worldRows - 1));
  return next >= old ? next + 1 : next;
}

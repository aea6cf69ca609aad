/**
 * TechEmpower's verifier for the updates test checks that the new numbers reach
 * the database. Here: one request to the scenario's /updates path, and every row
 * it answers read back from the database server, which must hold that number.
 * Run before the timing and again after the trials, when nothing else writes.
 */
import { exchange } from '../http/client.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';
import type { RunDatabase } from '../run/database.ts';

/** What is wrong, or nothing when every answered row is stored as answered. */
export async function checkUpdatesPersisted(
  url: string,
  scenario: ScenarioDef,
  database: RunDatabase,
  timeoutMs: number,
): Promise<string[]> {
  const request = scenario.requests[0];
  if (!request) return [`${scenario.name}: no request`];
  const where = `${request.method} ${request.path}`;
  const { responses } = await exchange(url, [request], { pipelined: false, timeoutMs });
  const response = responses[0];
  if (response?.status !== 200) return [`${where}: no 200 answer to read back`];
  let rows: { id: number; randomNumber: number }[];
  try {
    rows = JSON.parse(response.body.toString('utf8'));
  } catch {
    return [`${where}: the answer is not JSON`];
  }
  const stored = new Map((await database.worlds(rows.map((r) => r.id))).map((r) => [r.id, r.randomNumber]));
  const lost = rows.filter((r) => stored.get(r.id) !== r.randomNumber);
  if (lost.length === 0) return [];
  const first = lost[0] as { id: number; randomNumber: number };
  return [
    `${where}: ${lost.length} of ${rows.length} updates not in the database (World ${first.id} answered ${first.randomNumber}, stored ${stored.get(first.id)})`,
  ];
}

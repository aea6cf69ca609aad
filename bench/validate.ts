/**
 * The check before timing: a cell's server must answer the scenario's requests
 * correctly, the way the load generator will send them (kept alive, pipelined,
 * or one connection each), or the cell fails loudly and is never timed.
 */
import { exchange } from './http-client.ts';
import type { ScenarioDef, ScenarioRequest } from './scenarios.ts';
import type { Cell } from './results/schema.ts';

/** Check a running server against a scenario. */
export async function validateScenario(url: string, scenario: ScenarioDef, timeoutMs: number): Promise<Cell['validation']> {
  const failures: string[] = [];
  let checked = 0;
  const checkAll = (sent: ScenarioRequest[], answers: { status: number; headers: Record<string, string>; body: Buffer }[]) => {
    answers.forEach((response, i) => {
      const request = sent[i];
      if (!request) return;
      checked++;
      failures.push(...request.check(response));
    });
  };
  // Each distinct request of the cycle once, then the cycle as the load generator sends it.
  const distinct = [...new Map(scenario.requests.map((r) => [`${r.method} ${r.path}`, r])).values()];
  try {
    if (scenario.newConnectionPerRequest) {
      for (const request of distinct) {
        const outcome = await exchange(url, [request], { pipelined: false, waitForClose: true, timeoutMs });
        checkAll([request], outcome.responses);
        if (!outcome.closedByServer) failures.push(`${request.method} ${request.path}: the server kept the connection open after Connection: close`);
      }
    } else {
      const cycle = scenario.pipelining > 1
        ? Array.from({ length: scenario.pipelining }, (_, i) => scenario.requests[i % scenario.requests.length] as ScenarioRequest)
        : [...distinct, ...distinct];
      const outcome = await exchange(url, cycle, { pipelined: scenario.pipelining > 1, timeoutMs });
      checkAll(cycle, outcome.responses);
    }
  } catch (error) {
    failures.push(`${scenario.name}: ${(error as Error).message}`);
  }
  return { ok: failures.length === 0, checked, failures };
}

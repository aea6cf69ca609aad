/**
 * The check before timing: a cell's server must answer the scenario's requests
 * correctly, the way the load generator will send them (kept alive, pipelined,
 * or one connection each), or the cell fails loudly and is never timed.
 * `contract` says what the server is held to (see expectations.ts): `app` for
 * servers that implement our application (our models, the node-http peer),
 * `http` for those that do not (nginx, a --target-cmd server).
 */
import { checksFor, type Contract } from './expectations.ts';
import { exchange } from '../http/client.ts';
import type { ScenarioDef, ScenarioRequest } from '../plan/scenarios.ts';
import type { Cell } from '../results/schema.ts';
import type { Target } from '../targets/types.ts';

/** Peers that serve our application (servers/peers/), so are held to its contract like our models. */
const appPeers: ReadonlySet<string> = new Set(['node-http']);

/** The contract a target is validated against: `app` for our models and the peers that serve our application. */
export function contractOf(target: Pick<Target, 'kind' | 'name'>): Contract {
  return target.kind === 'model' || appPeers.has(target.name) ? 'app' : 'http';
}

/** Check a running server against a scenario. */
export async function validateScenario(
  url: string,
  scenario: ScenarioDef,
  timeoutMs: number,
  contract: Contract = 'http',
): Promise<Cell['validation']> {
  const failures: string[] = [];
  let checked = 0;
  const checks = new Map(scenario.requests.map((request) => [request, checksFor(request, contract)]));
  const checkAll = (
    sent: ScenarioRequest[],
    answers: { status: number; headers: Record<string, string>; body: Buffer }[],
  ) => {
    answers.forEach((response, i) => {
      const request = sent[i];
      if (!request) return;
      checked++;
      failures.push(...(checks.get(request) ?? request.check)(response));
    });
  };
  // Each distinct request of the cycle once, then the cycle as the load generator sends it.
  const distinct = [...new Map(scenario.requests.map((r) => [`${r.method} ${r.path}`, r])).values()];
  try {
    if (scenario.newConnectionPerRequest) {
      for (const request of distinct) {
        const outcome = await exchange(url, [request], { pipelined: false, waitForClose: true, timeoutMs });
        checkAll([request], outcome.responses);
        if (!outcome.closedByServer)
          failures.push(
            `${request.method} ${request.path}: the server kept the connection open after Connection: close`,
          );
      }
    } else {
      const cycle =
        scenario.pipelining > 1
          ? Array.from(
              { length: scenario.pipelining },
              (_, i) => scenario.requests[i % scenario.requests.length] as ScenarioRequest,
            )
          : [...distinct, ...distinct];
      const outcome = await exchange(url, cycle, { pipelined: scenario.pipelining > 1, timeoutMs });
      checkAll(cycle, outcome.responses);
    }
  } catch (error) {
    failures.push(`${scenario.name}: ${(error as Error).message}`);
  }
  return { ok: failures.length === 0, checked, failures };
}

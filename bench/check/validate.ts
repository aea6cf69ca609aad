/**
 * The check before timing: a cell's server must answer the scenario's requests
 * correctly, the way the load generator will send them (kept alive, pipelined,
 * or one connection each), or the cell fails loudly and is never timed.
 * `contract` says what the server is held to (see expectations.ts): `app` for
 * servers that implement our application (our models, the node-http peer),
 * `http` for those that serve its site (nginx), `framing` for a user's own
 * (--target-cmd, --target-url), unless a scenario file declares more.
 */
import { checksFor, type Contract } from './expectations.ts';
import { exchange } from '../http/client.ts';
import type { ScenarioDef, ScenarioRequest } from '../plan/scenarios.ts';
import type { Cell } from '../results/schema.ts';
import type { Target } from '../targets/types.ts';

/** Peers that serve our application (servers/peers/), so are held to its contract like our models. */
const appPeers: ReadonlySet<string> = new Set(['node-http']);

/** The contract a target is validated against: `app` for our models and the peers that serve our application. */
export function contractOf(target: Pick<Target, 'kind' | 'name' | 'foreign'>): Contract {
  if (target.foreign) return 'framing';
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
    if (scenario.cookieJar) {
      failures.push(...(await followSession(url, scenario, timeoutMs)));
      checked += sessionSteps;
    } else if (scenario.newConnectionPerRequest) {
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

/** How many requests the check of a cookie-jar scenario sends, each with the cookie of the last answer. */
const sessionSteps = 3;

/**
 * A cookie-jar scenario (session) is checked as its load generator will send it: on one connection,
 * each request carries the Set-Cookie of the previous answer, and the visits must count up from a
 * new session (1, first) to 2 and 3 (not first), every answer saying it varies by Cookie.
 */
async function followSession(url: string, scenario: ScenarioDef, timeoutMs: number): Promise<string[]> {
  const failures: string[] = [];
  const request = scenario.requests[0];
  if (!request) return [`${scenario.name}: no request`];
  let cookie: string | undefined;
  for (let step = 1; step <= sessionSteps; step++) {
    const sent = { ...request, headers: { ...request.headers, ...(cookie ? { cookie } : {}) } };
    const { responses } = await exchange(url, [sent], { pipelined: false, timeoutMs });
    const response = responses[0];
    const where = `${request.method} ${request.path} (request ${step} of a session)`;
    if (!response) return [...failures, `${where}: no answer`];
    // Not the request's own check: that pins the first answer's body, and each answer here counts one more.
    if (response.status !== 200) failures.push(`${where}: status ${response.status}, expected 200`);
    if (!/\bno-store\b/.test(response.headers['cache-control'] ?? ''))
      failures.push(`${where}: Cache-Control does not say no-store`);
    let body: { visits?: unknown; first?: unknown } = {};
    try {
      body = JSON.parse(response.body.toString('utf8')) as typeof body;
    } catch {
      failures.push(`${where}: the body is not JSON`);
    }
    if (body.visits !== step || body.first !== (step === 1))
      failures.push(
        `${where}: ${response.body.toString('utf8').slice(0, 60)}, expected visits ${step}, first ${step === 1}`,
      );
    if (!/\bcookie\b/i.test(response.headers.vary ?? '')) failures.push(`${where}: Vary does not name Cookie`);
    cookie = response.headers['set-cookie']?.split(';')[0]?.trim();
    if (!cookie) return [...failures, `${where}: no Set-Cookie to send back`];
  }
  return failures;
}

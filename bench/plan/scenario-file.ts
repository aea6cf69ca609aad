/**
 * `--scenario-file FILE`: a user's own workloads, in JSON, validated here before any work starts.
 * A file names its requests (method, path, headers, body), their mix (weights, or a cycle of names),
 * keep-alive, pipelining, and what a correct answer is (a status; optionally an exact body, a part
 * of the body, headers). Each scenario becomes a ScenarioDef like the built-in ones, its requests
 * carrying the checks the file declared, and nothing more: the file says what is right.
 * See examples/items.scenarios.json and the README's "Benchmark your own server".
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { RawResponse } from '../http/client.ts';
import { reasonOf } from '../results/output.ts';
import type { ScenarioDef, ScenarioRequest } from './scenarios.ts';

/** A scenario file that cannot be used; `message` is one line naming the problem. */
export class ScenarioFileError extends Error {
  override name = 'ScenarioFileError';
}

/** The longest cycle a mix may expand to: each connection walks it in order. */
export const maxCycleLength = 1000;

const name = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/, 'a name of letters, digits, ".", "_", "-" (up to 40)');
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const Expect = z
  .object({
    status: z.number().int().min(100).max(599).default(200),
    /** The whole body, exactly. */
    body: z.string().optional(),
    /** A part the body must contain. */
    bodyIncludes: z.string().min(1).optional(),
    /** Headers the answer must carry, with exactly these values (names in any case). */
    headers: z.record(z.string().regex(token, 'a header name'), z.string()).optional(),
  })
  .strict();

const RequestSpec = z
  .object({
    // HEAD is left out: an answer's Content-Length then announces a body that never comes.
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().regex(/^\/[^\s]*$/, 'a path that starts with "/" and has no spaces'),
    headers: z.record(z.string().regex(token, 'a header name'), z.string()).optional(),
    body: z.string().optional(),
    expect: Expect.default({}),
  })
  .strict();

const Mix = z.union([
  z.object({ weights: z.record(name, z.number().int().positive()) }).strict(),
  z.object({ cycle: z.array(name).nonempty() }).strict(),
]);

const ScenarioSpec = z
  .object({
    name,
    description: z.string().optional(),
    requests: z.record(name, RequestSpec).refine((r) => Object.keys(r).length > 0, 'needs at least one request'),
    /** Default: each request once, in the file's order. */
    mix: Mix.optional(),
    keepAlive: z.boolean().default(true),
    pipelining: z.number().int().min(1).max(256).default(1),
  })
  .strict()
  .refine((s) => s.keepAlive || s.pipelining === 1, {
    message: 'pipelining needs keepAlive: a connection closed after each answer carries one request',
    path: ['pipelining'],
  });

/** The file: `{ "scenarios": [ … ] }`. */
export const ScenarioFile = z
  .object({ $schema: z.string().optional(), scenarios: z.array(ScenarioSpec).nonempty() })
  .strict()
  .refine((f) => new Set(f.scenarios.map((s) => s.name)).size === f.scenarios.length, {
    message: 'two scenarios have the same name',
    path: ['scenarios'],
  });
type ScenarioSpec = z.infer<typeof ScenarioSpec>;
type RequestSpec = z.infer<typeof RequestSpec>;

/** Read, validate and build a file's scenarios; `builtIn` are names a file's scenario may not take. */
export function loadScenarioFile(path: string, builtIn: readonly string[]): ScenarioDef[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScenarioFileError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : reasonOf(error)}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ScenarioFileError(`${path} is not JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = ScenarioFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = issue?.path.length ? issue.path.map(String).join('.') : '(top level)';
    throw new ScenarioFileError(`${path}: ${at}: ${issue?.message ?? 'not a scenario file'}`);
  }
  return parsed.data.scenarios.map((spec, i) => {
    if (builtIn.includes(spec.name))
      throw new ScenarioFileError(`${path}: scenarios.${i}.name: "${spec.name}" is a built-in scenario's name`);
    return buildScenario(spec, path, i);
  });
}

function buildScenario(spec: ScenarioSpec, path: string, index: number): ScenarioDef {
  const names = Object.keys(spec.requests);
  const order = cycleOf(spec, names, `${path}: scenarios.${index}.mix`);
  // Each request's latency is recorded apart when the mix has several (like mixed's cheap and expensive).
  const grouped = new Set(order).size > 1;
  const built = new Map(
    names.map((n) => [n, fileRequest(n, spec.requests[n] as RequestSpec, spec.keepAlive, grouped)]),
  );
  return {
    name: spec.name,
    description: spec.description ?? `From ${path}: ${describeMix(order)}.`,
    params: {
      scenarioFile: path,
      requests: [...new Set(order)].map((n) => `${n}=${spec.requests[n]?.method} ${spec.requests[n]?.path}`).join(' '),
      keepAlive: spec.keepAlive,
    },
    requests: order.map((n) => built.get(n) as ScenarioRequest),
    pipelining: spec.pipelining,
    newConnectionPerRequest: !spec.keepAlive,
  };
}

/** The order each connection walks: the cycle as given, or the weights spread out evenly. */
function cycleOf(spec: ScenarioSpec, names: string[], where: string): string[] {
  const mix = spec.mix;
  if (mix === undefined) return names;
  const used = 'cycle' in mix ? mix.cycle : Object.keys(mix.weights);
  const unknown = used.find((n) => !names.includes(n));
  if (unknown !== undefined)
    throw new ScenarioFileError(`${where}: "${unknown}" is not one of the scenario's requests (${names.join(', ')})`);
  if ('cycle' in mix) {
    if (mix.cycle.length > maxCycleLength)
      throw new ScenarioFileError(`${where}.cycle: ${mix.cycle.length} entries, at most ${maxCycleLength}`);
    return mix.cycle;
  }
  return spreadWeights(mix.weights, where);
}

/**
 * Weights as a cycle, reduced by their greatest common divisor and interleaved by smooth weighted
 * round robin (nginx's upstream rule), so {a: 9, b: 1} is nine a's with the b among them, not last.
 */
export function spreadWeights(weights: Record<string, number>, where = 'mix'): string[] {
  const entries = Object.entries(weights);
  const divisor = entries.reduce((g, [, w]) => gcd(g, w), 0);
  const reduced = entries.map(([n, w]) => ({ name: n, weight: w / divisor, current: 0 }));
  const total = reduced.reduce((sum, e) => sum + e.weight, 0);
  if (total > maxCycleLength)
    throw new ScenarioFileError(
      `${where}.weights: they make a cycle of ${total} requests, at most ${maxCycleLength} (use smaller weights)`,
    );
  const cycle: string[] = [];
  for (let i = 0; i < total; i++) {
    for (const e of reduced) e.current += e.weight;
    const best = reduced.reduce((a, b) => (b.current > a.current ? b : a));
    best.current -= total;
    cycle.push(best.name);
  }
  return cycle;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

function describeMix(order: string[]): string {
  const counts = new Map<string, number>();
  for (const n of order) counts.set(n, (counts.get(n) ?? 0) + 1);
  const each = [...counts].map(([n, c]) => `${n} ×${c}`).join(', ');
  return `${each} in a cycle of ${order.length}`;
}

function fileRequest(label: string, spec: RequestSpec, keepAlive: boolean, grouped: boolean): ScenarioRequest {
  const headers = { ...spec.headers, ...(keepAlive ? {} : { Connection: 'close' }) };
  return {
    method: spec.method,
    path: spec.path,
    ...(Object.keys(headers).length ? { headers } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(grouped ? { group: label } : {}),
    check: declaredCheck(`${label} (${spec.method} ${spec.path})`, spec.expect),
    declared: true,
  };
}

/** The answer a file declares right: its status, framing that agrees with the bytes, and what else it asks. */
export function declaredCheck(what: string, expect: z.infer<typeof Expect>): (response: RawResponse) => string[] {
  return (response) => {
    const failures: string[] = [];
    if (response.status !== expect.status)
      failures.push(`${what}: expected status ${expect.status}, got ${response.status}`);
    const declared = response.headers['content-length'];
    if (declared !== undefined && Number(declared) !== response.body.length)
      failures.push(`${what}: Content-Length ${declared} but ${response.body.length} body bytes`);
    const body = response.body.toString('utf8');
    if (expect.body !== undefined && body !== expect.body)
      failures.push(`${what}: expected body ${JSON.stringify(cut(expect.body))}, got ${JSON.stringify(cut(body))}`);
    if (expect.bodyIncludes !== undefined && !body.includes(expect.bodyIncludes))
      failures.push(`${what}: the body does not contain ${JSON.stringify(cut(expect.bodyIncludes))}`);
    for (const [header, value] of Object.entries(expect.headers ?? {})) {
      const got = response.headers[header.toLowerCase()];
      if (got !== value) failures.push(`${what}: expected ${header}: ${value}, got ${got ?? 'none'}`);
    }
    return failures;
  };
}

const cut = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}...` : text);

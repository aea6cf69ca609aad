/**
 * The database routes (TechEmpower's tests), in two tables: `databaseRows` for a
 * server started with a database (the database tests and the benchmark's checks
 * use them), `noDatabaseRows` for one without, which every core test runs.
 * The checks are TechEmpower's verifier's: JSON shapes, ids and numbers in 1-10000,
 * the clamped counts, and the fortunes page byte for byte.
 */
import type { Exchange } from './types.ts';
import { servedBy } from './shared.ts';

/** TechEmpower's expected /fortunes page: escaped, sorted by message, the added fortune (id 0) among them. */
export const expectedFortunesPage =
  '<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>' +
  '<tr><td>11</td><td>&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;</td></tr>' +
  '<tr><td>4</td><td>A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1</td></tr>' +
  '<tr><td>5</td><td>A computer program does what you tell it to do, not what you want it to do.</td></tr>' +
  '<tr><td>2</td><td>A computer scientist is someone who fixes things that aren&#39;t broken.</td></tr>' +
  '<tr><td>8</td><td>A list is only as strong as its weakest link. — Donald Knuth</td></tr>' +
  '<tr><td>0</td><td>Additional fortune added at request time.</td></tr>' +
  '<tr><td>3</td><td>After enough decimal places, nobody gives a damn.</td></tr>' +
  '<tr><td>7</td><td>Any program that runs right is obsolete.</td></tr>' +
  '<tr><td>10</td><td>Computers make very fast, very accurate mistakes.</td></tr>' +
  '<tr><td>6</td><td>Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen</td></tr>' +
  '<tr><td>9</td><td>Feature: A bug with seniority.</td></tr>' +
  '<tr><td>1</td><td>fortune: No such file or directory</td></tr>' +
  '<tr><td>12</td><td>フレームワークのベンチマーク</td></tr>' +
  '</table></body></html>';

const inWorld = (n: unknown): boolean => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= 10_000;

/** What is wrong with a World row as JSON, or undefined. */
function worldProblem(row: unknown): string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return `${JSON.stringify(row)} is not an object`;
  const { id, randomNumber, ...rest } = row as Record<string, unknown>;
  if (!inWorld(id)) return `id ${JSON.stringify(id)} is not an integer from 1 to 10000`;
  if (!inWorld(randomNumber)) return `randomNumber ${JSON.stringify(randomNumber)} is not an integer from 1 to 10000`;
  if (Object.keys(rest).length > 0) return `unexpected keys ${Object.keys(rest).join(', ')}`;
  return undefined;
}

function parsed(body: Uint8Array): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(Buffer.from(body).toString('utf8')) };
  } catch {
    return { problem: 'the body is not JSON' };
  }
}

/** The check of GET /db: one World object. */
export function oneWorld(body: Uint8Array): string | undefined {
  const json = parsed(body);
  return 'problem' in json ? json.problem : worldProblem(json.value);
}

/** The check of an answer that must be an array of `count` World objects (`distinct`: no id twice). */
export function worldArray(count: number, distinct = false): (body: Uint8Array) => string | undefined {
  return (body) => {
    const json = parsed(body);
    if ('problem' in json) return json.problem;
    if (!Array.isArray(json.value)) return 'the body is not a JSON array';
    if (json.value.length !== count) return `${json.value.length} rows, expected ${count}`;
    for (const row of json.value) {
      const problem = worldProblem(row);
      if (problem) return problem;
    }
    if (distinct && new Set(json.value.map((row: { id: number }) => row.id)).size !== count)
      return 'an id is updated twice';
    return undefined;
  };
}

const jsonType = { 'content-type': 'application/json', 'x-served-by': servedBy };

function row(path: string, body: (body: Uint8Array) => string | undefined): Exchange {
  return { name: `GET ${path}`, method: 'GET', path, expect: { status: 200, headers: jsonType, body } };
}

export const databaseRows: readonly Exchange[] = [
  row('/db', oneWorld),
  row('/queries?queries=20', worldArray(20)),
  row('/queries', worldArray(1)),
  row('/queries?queries=foo', worldArray(1)),
  row('/queries?queries=0', worldArray(1)),
  row('/queries?queries=501', worldArray(500)),
  {
    name: 'GET /fortunes',
    method: 'GET',
    path: '/fortunes',
    expect: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: expectedFortunesPage },
  },
  row('/updates?queries=20', worldArray(20, true)),
  row('/updates?queries=foo', worldArray(1, true)),
  row('/cached-queries?count=20', worldArray(20)),
  row('/cached-queries?count=600', worldArray(500)),
];

/** Without a database every database route answers 503, saying why. */
export const noDatabaseRows: readonly Exchange[] = [
  '/db',
  '/queries?queries=2',
  '/fortunes',
  '/updates',
  '/cached-queries',
].map((path) => ({
  name: `GET ${path} without a database`,
  method: 'GET',
  path,
  expect: {
    status: 503,
    headers: { 'content-type': /^text\/plain/ },
    body: (b: Uint8Array) =>
      Buffer.from(b).toString().startsWith('No database is configured') ? undefined : 'the 503 does not say why',
  },
}));

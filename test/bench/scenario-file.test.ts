/**
 * `--scenario-file`: a user's workload in JSON, validated before any work (one line, exit 2, no file
 * written), turned into scenarios whose requests carry the checks the file declared; a user's server
 * held to status and framing on a built-in scenario; and the example of examples/ benchmarked end to
 * end through the real bench command, briefly.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksFor } from '../../bench/check/expectations.ts';
import { contractOf } from '../../bench/check/validate.ts';
import type { RawResponse } from '../../bench/http/client.ts';
import { parseOptions, UsageError } from '../../bench/plan/options.ts';
import { loadScenarioFile, ScenarioFileError, spreadWeights } from '../../bench/plan/scenario-file.ts';
import { findScenario, scenarioNames } from '../../bench/plan/scenarios.ts';
import { readResults } from '../../bench/results/file.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'server-models-scenario-file-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function fileWith(json: unknown): string {
  const path = join(dir, `s-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof json === 'string' ? json : JSON.stringify(json));
  return path;
}

const answer = (status: number, body: string, headers: Record<string, string> = {}): RawResponse => ({
  status,
  headers: { 'content-length': String(Buffer.byteLength(body)), ...headers },
  body: Buffer.from(body),
});

describe('scenario files', () => {
  it('spreads weights evenly over a cycle reduced by their common divisor', () => {
    assert.deepEqual(spreadWeights({ a: 2, b: 2 }), ['a', 'b']);
    // Smooth weighted round robin: the rare requests among the common ones, not bunched at either end.
    assert.deepEqual(
      spreadWeights({ list: 8, one: 1, create: 1 }).join(' '),
      'list list list one list list create list list list',
    );
    assert.throws(() => spreadWeights({ a: 999, b: 2 }), ScenarioFileError);
  });

  it('builds requests with their headers, body, group and the declared check', () => {
    const [s] = loadScenarioFile(
      fileWith({
        scenarios: [
          {
            name: 'api',
            requests: {
              read: { path: '/r', expect: { headers: { 'Content-Type': 'application/json' } } },
              write: { method: 'POST', path: '/w', body: '{}', headers: { 'X-A': '1' }, expect: { status: 201 } },
            },
            mix: { cycle: ['read', 'read', 'write'] },
            pipelining: 4,
          },
        ],
      }),
      scenarioNames,
    );
    assert.ok(s);
    assert.deepEqual(
      s.requests.map((r) => `${r.method} ${r.path} ${r.group}`),
      ['GET /r read', 'GET /r read', 'POST /w write'],
    );
    assert.equal(s.pipelining, 4);
    assert.equal(s.newConnectionPerRequest, false);
    const [read, , write] = s.requests;
    assert.deepEqual(write?.headers, { 'X-A': '1' });
    assert.equal(write?.body, '{}');
    assert.deepEqual(write?.check(answer(201, 'ok')), []);
    assert.match(write?.check(answer(200, 'ok')).join() ?? '', /write \(POST \/w\): expected status 201, got 200/);
    assert.deepEqual(read?.check(answer(200, '[]', { 'content-type': 'application/json' })), []);
    assert.match(read?.check(answer(200, '[]')).join() ?? '', /expected Content-Type: application\/json, got none/);
    // What the file declared is the whole check, whatever server answers: our application's table adds nothing.
    assert.equal(checksFor(write!, 'app'), write?.check);
  });

  it('a connection per request when keepAlive is false', () => {
    const [s] = loadScenarioFile(
      fileWith({ scenarios: [{ name: 'c', keepAlive: false, requests: { x: { path: '/' } } }] }),
      scenarioNames,
    );
    assert.equal(s?.newConnectionPerRequest, true);
    assert.equal(s?.requests[0]?.headers?.Connection, 'close');
    assert.equal(s?.requests[0]?.group, undefined, 'one request: no groups');
  });

  for (const [what, json, message] of [
    ['not JSON', '{', /is not JSON/],
    ['an unknown key', { scenarios: [{ name: 'a', requests: { x: { path: '/' } }, extra: 1 }] }, /Unrecognized key/],
    ['a path without /', { scenarios: [{ name: 'a', requests: { x: { path: 'x' } } }] }, /requests\.x\.path/],
    ['HEAD', { scenarios: [{ name: 'a', requests: { x: { method: 'HEAD', path: '/' } } }] }, /method/],
    [
      'a status out of range',
      { scenarios: [{ name: 'a', requests: { x: { path: '/', expect: { status: 99 } } } }] },
      /expect\.status/,
    ],
    [
      'a mix naming no request',
      { scenarios: [{ name: 'a', requests: { x: { path: '/' } }, mix: { cycle: ['y'] } }] },
      /"y" is not one of/,
    ],
    ['a built-in name', { scenarios: [{ name: 'hello', requests: { x: { path: '/' } } }] }, /built-in/],
    [
      'two scenarios of one name',
      {
        scenarios: [
          { name: 'a', requests: { x: { path: '/' } } },
          { name: 'a', requests: { x: { path: '/' } } },
        ],
      },
      /same name/,
    ],
    [
      'pipelining without keep-alive',
      { scenarios: [{ name: 'a', keepAlive: false, pipelining: 2, requests: { x: { path: '/' } } }] },
      /pipelining needs keepAlive/,
    ],
  ] as const) {
    it(`refuses ${what} with one line naming the problem`, () => {
      const path = fileWith(json);
      assert.throws(
        () => parseOptions(['--scenario-file', path]),
        (error: unknown) =>
          error instanceof UsageError &&
          message.test(error.message) &&
          error.message.startsWith(`--scenario-file: ${path}`) &&
          !error.message.includes('\n'),
      );
    });
  }

  it("runs the file's scenarios, or those --scenarios picks among them and the built-in ones", () => {
    const path = fileWith({ scenarios: [{ name: 'a', requests: { x: { path: '/' } } }] });
    assert.deepEqual(parseOptions(['--scenario-file', path]).scenarios, ['a']);
    assert.deepEqual(parseOptions(['--scenario-file', path, '--scenarios', 'hello,a']).scenarios, ['hello', 'a']);
    assert.throws(() => parseOptions(['--scenario-file', path, '--scenarios', 'b']), /unknown scenario "b"/);
  });
});

describe("a user's server on a built-in scenario", () => {
  it("is held to status and framing, not to our application's body", () => {
    const hello = findScenario('hello')!.requests[0]!;
    const contract = contractOf({ kind: 'peer', name: 'mine', foreign: true });
    assert.equal(contract, 'framing');
    assert.deepEqual(checksFor(hello, contract)(answer(200, 'Hi')), []);
    assert.match(checksFor(hello, contract)(answer(404, 'Hi')).join(), /expected status 200, got 404/);
    assert.match(
      checksFor(hello, contract)({ status: 200, headers: { 'content-length': '9' }, body: Buffer.from('Hi') }).join(),
      /Content-Length 9 but 2 body bytes/,
    );
    // nginx is not a user's server: it serves our site and is still held to its content.
    assert.match(
      checksFor(hello, contractOf({ kind: 'peer', name: 'nginx' }))(answer(200, 'Hi')).join(),
      /expected body/,
    );
  });
});

function bench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the example: examples/items-server.mjs under examples/items.scenarios.json', () => {
  it('is benchmarked end to end, its answers checked as the file says, with CSV and BMF beside the results', async () => {
    const out = join(dir, 'items.json');
    const csv = join(dir, 'items.csv');
    const bmf = join(dir, 'items.bmf.json');
    const run = await bench([
      '--scenario-file',
      'examples/items.scenarios.json',
      '--target-cmd',
      'node examples/items-server.mjs',
      '--target-name',
      'items',
      '--connections',
      '2',
      '--duration',
      '0.5',
      '--trials',
      '1',
      '--rounds',
      '1',
      '--warmup',
      '0',
      '--out',
      out,
      '--csv',
      csv,
      '--bmf',
      bmf,
    ]);
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const results = readResults(out);
    assert.deepEqual(
      results.cells.map((c) => `${c.model} ${c.scenario} ${c.status}`),
      ['items items-browse ok', 'items items-close ok'],
    );
    const browse = results.cells[0]!;
    assert.ok(browse.validation.ok && browse.validation.checked >= 6, 'every request of the mix was checked');
    assert.deepEqual(Object.keys(browse.summary?.groupP99Us ?? {}).sort(), ['create', 'list', 'one']);
    assert.equal(results.scenarios[0]?.params.scenarioFile, 'examples/items.scenarios.json');
    const rows = readFileSync(csv, 'utf8').trim().split('\r\n');
    assert.equal(rows.length, 3);
    assert.match(rows[0] ?? '', /^model,kind,scenario,connections,.*,p99_us,/);
    assert.match(rows[1] ?? '', /^items,peer,items-browse,2,closed,/);
    const measures = JSON.parse(readFileSync(bmf, 'utf8')) as Record<string, Record<string, { value: number }>>;
    assert.ok((measures['items:items-browse:2']?.requests_per_second?.value ?? 0) > 0);
  });

  it('a bad file: one line, exit 2, before any work and with no file written', async () => {
    const out = join(dir, 'never.json');
    const bad = fileWith({ scenarios: [{ name: 'a', requests: { x: { path: '/', expect: { status: 'ok' } } } }] });
    const run = await bench(['--scenario-file', bad, '--target-cmd', 'node examples/items-server.mjs', '--out', out]);
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^bench: --scenario-file: .*scenarios\.0\.requests\.x\.expect\.status: /);
    assert.equal(run.stdout, '');
    assert.equal(existsSync(out), false);
  });
});

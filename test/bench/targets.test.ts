/**
 * Servers that are not ours: the nginx peer (started with a generated
 * configuration on the same document root, checked byte for byte and against
 * the static scenarios' validation, stopped with nothing left), and any server
 * through --target-cmd and --target-url, end to end through the real bench
 * command. Bad values are one-line usage errors with exit code 2.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchange } from '../../bench/http/client.ts';
import { outOfScope } from '../../bench/plan/servers.ts';
import { parseOptions, UsageError } from '../../bench/plan/options.ts';
import { liveProcesses, processTree } from '../../bench/os/procfs.ts';
import { readResults } from '../../bench/results/file.ts';
import { planCells } from '../../bench/run/run.ts';
import { findScenario, scenarios } from '../../bench/plan/scenarios.ts';
import type { ScenarioDef } from '../../bench/plan/scenarios.ts';
import { endedOnRequest } from '../../bench/targets/command.ts';
import { modelTarget } from '../../bench/targets/model.ts';
import { findNginx, isStaticScenario, nginxConfig, nginxTarget } from '../../bench/targets/nginx.ts';
import { portAccepts } from '../../bench/targets/port.ts';
import type { TargetLaunch } from '../../bench/targets/types.ts';
import { localOrigin } from '../../bench/targets/url.ts';
import { validateScenario } from '../../bench/check/validate.ts';
import { ensureDefaultSite, siteContents } from '../../servers/app/site.ts';

const launch: TargetLaunch = { cpus: null, readyTimeoutMs: 10_000, stopGraceMs: 5_000 };
const scenario = (name: string) => findScenario(name) as ScenarioDef;
const staticScenarios = scenarios.filter((s) => s.name.startsWith('static-'));

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real bench command, with a marker in its environment that every process it starts inherits. */
function bench(args: string[], marker: string): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], {
      env: { ...process.env, BENCH_TEST_MARKER: marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Live processes carrying the marker: anything a run started and left behind. */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (!readFileSync(`/proc/${name}/environ`, 'latin1').includes(`BENCH_TEST_MARKER=${marker}`)) continue;
      if (readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0] !== 'Z') found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** A tiny node:http server answering /hello as our application does, on $PORT and $HOST. */
const tinyServer = `require('node:http').createServer((req, res) => { res.setHeader('Content-Type', 'text/plain'); res.end(req.url === '/hello' ? 'Hello, World!' : 'no'); }).listen(Number(process.env.PORT), process.env.HOST)`;

function nginxDirs(): Set<string> {
  return new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('server-models-nginx-')));
}

describe('nginx peer', { skip: findNginx() === null ? 'nginx is not installed' : false }, () => {
  it('serves the same document root, passes the static scenarios, stops with nothing left', async () => {
    const dirsBefore = nginxDirs();
    const target = nginxTarget({ ...launch, cpus: '0' }, 2);
    assert.equal(target.kind, 'peer');
    const running = await target.start();
    assert.match(running.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(running.pid !== null);
    const pid = running.pid;
    try {
      // A master and two workers, all in the tree the harness samples, in its own group, pinned like our models.
      const tree = liveProcesses(processTree(pid));
      assert.equal(tree.length, 3);
      for (const p of tree) {
        assert.equal(p.pgrp, pid);
        assert.equal(/Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1], '0');
      }
      const site = siteContents();
      const { responses } = await exchange(
        running.url,
        [
          { method: 'GET', path: '/static/1k' },
          { method: 'GET', path: '/static/1M' },
        ],
        { pipelined: false, timeoutMs: 5000 },
      );
      assert.equal(responses[0]?.status, 200);
      assert.ok(responses[0]?.body.equals(site.get('1k') as Buffer), '/static/1k is the site file, byte for byte');
      assert.ok(responses[1]?.body.equals(site.get('1M') as Buffer), '/static/1M is the site file, byte for byte');
      assert.ok(staticScenarios.length >= 2);
      for (const s of staticScenarios) {
        const validation = await validateScenario(running.url, s, 5000);
        assert.ok(validation.ok && validation.checked > 0, `${s.name}: ${validation.failures.join('; ')}`);
      }
      // The checks can fail: a route of our application is not nginx's.
      const hello = await validateScenario(running.url, scenario('hello'), 5000);
      assert.equal(hello.ok, false);
    } finally {
      const report = await running.stop();
      assert.deepEqual(report, { exitCode: 0, signal: null, forced: false, leftovers: [] });
    }
    assert.deepEqual(liveProcesses(processTree(pid)), []);
    assert.equal(await portAccepts(Number(new URL(running.url).port)), false);
    assert.deepEqual(
      [...nginxDirs()].filter((d) => !dirsBefore.has(d)),
      [],
      'its temporary folder is removed',
    );
  });

  it('is planned only for the static scenarios, and says which it is not', () => {
    const target = nginxTarget(launch, 1);
    const ours = modelTarget('event-loop', 'model', launch);
    const chosen = [scenario('hello'), ...staticScenarios, scenario('upload')];
    const cells = planCells([ours, target], chosen, [1, 4]);
    assert.deepEqual(
      [...new Set(cells.filter((c) => c.target === target).map((c) => c.scenario.name))],
      staticScenarios.map((s) => s.name),
    );
    assert.equal(cells.filter((c) => c.target === ours).length, chosen.length * 2);
    assert.deepEqual(outOfScope([ours, target], chosen), [
      { name: 'nginx', scenarios: ['hello', 'upload'], why: target.scope?.why },
    ]);
  });
});

describe('nginx configuration', () => {
  it('listens where the harness says, with one worker per server CPU, on the same document root', () => {
    const root = ensureDefaultSite();
    const conf = nginxConfig({
      dir: '/tmp/x',
      host: '127.0.0.1',
      port: 4321,
      workers: 3,
      root,
      tempPaths: ['client_body', 'proxy'],
      asRoot: false,
    });
    for (const line of [
      'daemon off;',
      'master_process on;',
      'worker_processes 3;',
      'pid /tmp/x/nginx.pid;',
      'error_log /tmp/x/error.log warn;',
      'access_log off;',
      'sendfile on;',
      'etag on;',
      'listen 127.0.0.1:4321;',
      `alias ${root}/;`,
      'client_body_temp_path /tmp/x/client_body_temp;',
      'proxy_temp_path /tmp/x/proxy_temp;',
    ]) {
      assert.ok(conf.includes(line), `missing "${line}"`);
    }
    assert.ok(!conf.includes('fastcgi'), 'no directive for a module the build lacks');
    assert.ok(!conf.includes('user '), 'no user switch when not root');
    assert.ok(
      nginxConfig({
        dir: '/tmp/x',
        host: '127.0.0.1',
        port: 1,
        workers: 1,
        root,
        tempPaths: [],
        asRoot: true,
      }).includes('\nuser root;\n'),
    );
  });
  it('refuses a path it cannot write into a configuration', () => {
    assert.throws(
      () =>
        nginxConfig({
          dir: '/tmp/a b',
          host: '127.0.0.1',
          port: 1,
          workers: 1,
          root: '/srv',
          tempPaths: [],
          asRoot: false,
        }),
      /cannot put the path/,
    );
    assert.throws(
      () =>
        nginxConfig({
          dir: '/tmp/x',
          host: '127.0.0.1',
          port: 1,
          workers: 1,
          root: '/srv/$x',
          tempPaths: [],
          asRoot: false,
        }),
      /cannot put the path/,
    );
  });
  it('counts as static only scenarios that GET files under /static/', () => {
    assert.deepEqual(
      scenarios.filter(isStaticScenario).map((s) => s.name),
      staticScenarios.map((s) => s.name),
    );
  });
});

describe('--target-url and --target-cmd values', () => {
  it('takes only http on 127.0.0.1 or localhost, as an origin', () => {
    assert.equal(localOrigin('http://127.0.0.1:8080'), 'http://127.0.0.1:8080');
    assert.equal(localOrigin('http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
    assert.equal(localOrigin('http://localhost:3000'), 'http://127.0.0.1:3000');
    assert.equal(localOrigin('http://127.0.0.1'), 'http://127.0.0.1:80');
    for (const [bad, why] of [
      ['http://10.0.0.5:80', /load only targets this machine/],
      ['http://example.com', /load only targets this machine/],
      ['http://127.0.0.2:80', /load only targets this machine/],
      ['https://127.0.0.1:8443', /only http:\/\//],
      ['http://127.0.0.1:80/api', /without a path/],
      ['http://u:p@127.0.0.1:80', /credentials/],
      ['127.0.0.1:80', /only http|not a URL/],
    ] as const) {
      const result = localOrigin(bad);
      assert.ok(result instanceof Error && why.test(result.message), `${bad}: ${String(result)}`);
    }
  });
  it('runs only the user server unless --models is given too', () => {
    assert.deepEqual(parseOptions(['--target-cmd', 'node server.js']).models, []);
    assert.deepEqual(parseOptions(['--target-url', 'http://localhost:3000', '--models', 'event-loop']).models, [
      'event-loop',
    ]);
    const o = parseOptions(['--target-cmd', 'node server.js', '--target-name', 'mine', '--target-timeout', '2.5']);
    assert.deepEqual(o.target, { name: 'mine', command: 'node server.js', readyTimeoutMs: 2500 });
    assert.deepEqual(parseOptions(['--target-url', 'http://localhost:3000']).target, {
      name: 'target',
      url: 'http://127.0.0.1:3000',
    });
    assert.equal(parseOptions([]).target, null);
  });
  for (const [argv, pattern] of [
    [['--target-cmd', 'x', '--target-url', 'http://127.0.0.1:1'], /not both/],
    [['--target-name', 'x'], /--target-name needs --target-cmd or --target-url/],
    [['--target-timeout', '3'], /--target-timeout needs --target-cmd/],
    [['--target-url', 'http://127.0.0.1:1', '--target-timeout', '3'], /--target-timeout is for --target-cmd/],
    [['--target-cmd', 'x', '--target-name', 'a b'], /--target-name takes/],
    [['--target-cmd', ' '], /--target-cmd needs a command/],
    [['--target-cmd', 'x', '--target-timeout', '0'], /--target-timeout takes a positive number/],
  ] as const) {
    it(`refuses ${argv.join(' ')}`, () => {
      assert.throws(
        () => parseOptions([...argv]),
        (e: unknown) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes('\n'),
      );
    });
  }
  it('a user server ending on the SIGTERM it was sent is a clean stop; anything else is not', () => {
    const clean = { exitCode: 0, signal: null, forced: false, leftovers: [] };
    assert.deepEqual(endedOnRequest({ exitCode: null, signal: 'SIGTERM', forced: false, leftovers: [] }), clean);
    assert.deepEqual(endedOnRequest({ exitCode: 143, signal: null, forced: false, leftovers: [] }), clean);
    assert.deepEqual(endedOnRequest({ exitCode: 1, signal: null, forced: false, leftovers: [] }).exitCode, 1);
    assert.equal(endedOnRequest({ exitCode: null, signal: 'SIGKILL', forced: true, leftovers: [] }).forced, true);
    assert.deepEqual(
      endedOnRequest({ exitCode: null, signal: 'SIGTERM', forced: false, leftovers: [42] }).leftovers,
      [42],
    );
  });
});

describe('any server through the bench command', () => {
  let dir: string;
  let server: Server;
  let serverUrl: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'server-models-targets-'));
    // Not our application: /hello answers other words (a user's server is held to status and framing), /json is missing.
    server = createServer((req, res) => {
      res.setHeader('Content-Type', 'text/plain');
      res.statusCode = req.url === '/hello' ? 200 : 404;
      res.end(req.url === '/hello' ? 'Hi there' : 'no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://localhost:${(server.address() as { port: number }).port}`;
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  // One round: what these tests check does not need the quick profile's three.
  const short = [
    '--scenarios',
    'hello',
    '--connections',
    '2',
    '--duration',
    '1',
    '--trials',
    '1',
    '--rounds',
    '1',
    '--warmup',
    '0',
  ];

  it('--target-cmd: starts it on $PORT, checks, loads and samples it as a peer, stops it with nothing left', async () => {
    const marker = randomUUID();
    const out = join(dir, 'cmd.json');
    const run = await bench(
      ['--target-cmd', `node -e "${tinyServer}"`, '--target-name', 'tiny', ...short, '--out', out],
      marker,
    );
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const results = readResults(out);
    assert.deepEqual(results.config.models, ['tiny']);
    assert.equal(results.cells.length, 1);
    const cell = results.cells[0]!;
    assert.equal(cell.model, 'tiny');
    assert.equal(cell.kind, 'peer');
    assert.equal(cell.status, 'ok', cell.error);
    assert.ok(cell.validation.ok && cell.validation.checked > 0);
    const trial = cell.trials[0]!;
    assert.ok(
      trial.requests > 0 && trial.serverCpuSec > 0 && trial.serverPeakRssBytes > 10e6,
      'its process tree was sampled',
    );
    assert.equal(trial.serverSampled, undefined);
    assert.deepEqual(processesWithMarker(marker), []);
  });

  it('--target-url: loads a server the test started, does not sample or stop it', async () => {
    const out = join(dir, 'url.json');
    const run = await bench(['--target-url', serverUrl, '--target-name', 'mine', ...short, '--out', out], randomUUID());
    assert.equal(run.code, 0, run.stderr.slice(-2000));
    const cell = readResults(out).cells[0]!;
    assert.equal(cell.model, 'mine');
    assert.equal(cell.kind, 'peer');
    assert.equal(cell.status, 'ok', cell.error);
    assert.ok(cell.trials[0]!.requests > 0);
    assert.equal(cell.trials[0]!.serverSampled, false);
    assert.ok(cell.flags.notes.some((n) => n.includes('not measured')));
    assert.ok(server.listening, 'still running: not ours to stop');
  });

  it('--target-url: a server that answers wrongly fails its cell loudly', async () => {
    const out = join(dir, 'wrong.json');
    const run = await bench(
      [
        '--target-url',
        serverUrl,
        '--scenarios',
        'json',
        '--connections',
        '1',
        '--duration',
        '1',
        '--trials',
        '1',
        '--rounds',
        '1',
        '--warmup',
        '0',
        '--out',
        out,
      ],
      randomUUID(),
    );
    assert.equal(run.code, 1);
    const cell = readResults(out).cells[0]!;
    assert.equal(cell.status, 'failed');
    assert.match(cell.error ?? '', /wrong answers, not timed: GET \/json: expected status 200, got 404/);
    assert.equal(cell.trials.length, 0);
  });

  for (const [what, args] of [
    ['a URL off this machine', ['--target-url', 'http://192.0.2.1:80']],
    ['a local URL nothing listens on', ['--target-url', 'http://127.0.0.1:9']],
    ['a command that exits before it listens', ['--target-cmd', 'exit 3']],
    ['a command that never listens', ['--target-cmd', 'sleep 20', '--target-timeout', '0.5']],
    ['both flags', ['--target-cmd', 'x', '--target-url', 'http://127.0.0.1:1']],
    ["a name of the suite's own", ['--target-url', 'http://127.0.0.1:1', '--target-name', 'nginx']],
  ] as const) {
    it(`refuses ${what}: exit 2, one line, nothing left running`, async () => {
      const marker = randomUUID();
      const run = await bench([...args, '--scenarios', 'hello'], marker);
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, /^bench: .*--target-/);
      assert.deepEqual(processesWithMarker(marker), []);
    });
  }
});

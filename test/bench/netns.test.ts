/**
 * The network-distance mode (`--rtt`, bench/netns.ts), for real: namespaces,
 * a veth, a server inside one answering a client inside the other, teardown
 * that leaves nothing, and the CLI end to end. Needs root; skipped without it.
 * Where the kernel has no netem (as on the machine this was written on), the
 * tests check that the mode says so rather than pretend to delay anything.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPair, deletePair, listNamespaces, namespacePids, netnsUnavailable } from '../../bench/os/netns.ts';
import type { NetnsPair } from '../../bench/os/netns.ts';
import { isAlive } from '../../bench/os/processes.ts';
import { Results } from '../../bench/results/schema.ts';
import { startSpawned } from '../../bench/targets/spawned.ts';

const root = process.getuid?.() === 0;
const skip = root ? false : 'needs root: it creates network namespaces';

/** Does `tc` accept a netem qdisc here? Asked directly, in an anonymous namespace of its own (unshare), not through bench/netns.ts. */
function tcAcceptsNetem(): boolean {
  const script = 'ip link add t-a type veth peer name t-b && tc qdisc add dev t-a root netem delay 1ms';
  return spawnSync('unshare', ['--net', 'sh', '-c', script], { stdio: 'ignore' }).status === 0;
}

/** Run a node script inside a namespace and return what it printed. */
function nodeIn(ns: string, script: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ourNamespaces = (id: number) => listNamespaces().filter((ns) => ns.startsWith(`sm-${id}-`));

describe('network distance: usage', () => {
  it("refuses --target-url with --rtt (exit 2, one line): that server is outside the run's namespaces", () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--rtt', '0', '--target-url', 'http://127.0.0.1:9'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^bench: --target-url cannot be used with --rtt: [^\n]+\n$/);
  });
  it('refuses a negative or non-numeric --rtt', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--rtt=-5'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, 'bench: --rtt takes a number of milliseconds (0 or more), not "-5"\n');
  });
});

describe('network distance: preflight', { skip }, () => {
  it('says netem is unavailable exactly when tc refuses it, and leaves no probe namespace', () => {
    const why = netnsUnavailable(10);
    const netem = tcAcceptsNetem();
    assert.equal(why === undefined, netem, `probe said ${JSON.stringify(why)}, tc accepts netem: ${netem}`);
    if (!netem) assert.match(why ?? '', /^the kernel has no netem qdisc \(tc: .+\)$/);
    assert.deepEqual(ourNamespaces(process.pid), []);
  });
  it('needs no netem for RTT 0 (namespaces and veth only)', () => {
    assert.equal(netnsUnavailable(0), undefined);
    assert.deepEqual(ourNamespaces(process.pid), []);
  });
});

describe('network distance: the namespace pair', { skip }, () => {
  let pair: NetnsPair | undefined;
  after(() => {
    if (pair) deletePair(pair);
  });

  it('joins two fresh namespaces by a veth and nothing else; a server in one answers a client in the other', async () => {
    pair = createPair(0);
    const { serverNs, clientNs, serverAddress, clientAddress } = pair;
    assert.deepEqual(ourNamespaces(process.pid).sort(), [clientNs, serverNs].sort());
    // Nothing of the pair sits in the host's namespace, and the client's only route is the /30 link.
    const hostLinks = spawnSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' }).stdout;
    assert.doesNotMatch(hostLinks, /sm-srv|sm-cli/);
    const routes = spawnSync('ip', ['-n', clientNs, 'route', 'show'], { encoding: 'utf8' }).stdout.trim().split('\n');
    assert.deepEqual(routes, [`169.254.77.0/30 dev sm-cli proto kernel scope link src ${clientAddress} `.trim()]);

    // A tiny HTTP server inside the server namespace, started the way the harness starts one.
    const server = `
      const http = require('node:http');
      const s = http.createServer((req, res) => res.end(JSON.stringify({ pid: process.pid, from: req.socket.remoteAddress })));
      s.listen(0, ${JSON.stringify(serverAddress)}, () => console.log('listening on http://${serverAddress}:' + s.address().port));
      process.on('SIGTERM', () => s.close(() => process.exit(0)));`;
    const running = await startSpawned({
      command: process.execPath,
      args: ['-e', server],
      cwd: process.cwd(),
      cpus: null,
      netns: serverNs,
      readyTimeoutMs: 10_000,
      stopGraceMs: 2000,
    });
    assert.ok(running.url.startsWith(`http://${serverAddress}:`), running.url);
    assert.deepEqual(
      namespacePids(serverNs),
      [running.pid],
      'the server is the only process in its namespace, with the PID the harness samples',
    );

    // A real request from the client namespace across the veth.
    const client = nodeIn(
      clientNs,
      `fetch(${JSON.stringify(`${running.url}/`)}).then((r) => r.text()).then((t) => console.log(t), (e) => { console.error(e.cause?.code ?? e.message); process.exit(1); })`,
    );
    assert.equal(client.status, 0, client.stderr);
    assert.deepEqual(JSON.parse(client.stdout), { pid: running.pid, from: clientAddress });

    const stopped = await running.stop();
    assert.equal(stopped.exitCode, 0);
    assert.deepEqual(stopped.leftovers, []);
    assert.deepEqual(deletePair(pair), [], 'nothing had to be killed');
    assert.deepEqual(ourNamespaces(process.pid), []);
    assert.equal(isAlive(running.pid as number), false);
  });

  it('fails on a namespace name already taken, and leaves that namespace alone', () => {
    const id = process.pid * 10 + 7;
    const taken = `sm-${id}-srv`;
    assert.equal(spawnSync('ip', ['netns', 'add', taken]).status, 0);
    try {
      assert.throws(() => createPair(0, id), /ip netns add sm-\d+-srv: .+/);
      assert.deepEqual(ourNamespaces(id), [taken]);
    } finally {
      spawnSync('ip', ['netns', 'del', taken]);
    }
  });

  it('teardown kills what is left inside and deletes both namespaces', async () => {
    pair = createPair(0);
    const leftover = spawn('ip', ['netns', 'exec', pair.clientNs, 'sleep', '60'], { stdio: 'ignore' });
    const exited = new Promise((resolve) => leftover.once('exit', resolve));
    while (namespacePids(pair.clientNs).length === 0) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(deletePair(pair), [leftover.pid]);
    await exited;
    assert.deepEqual(ourNamespaces(process.pid), []);
  });
});

describe('network distance: the bench command', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'server-models-netns-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const bench = (args: string[]) =>
    spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const collect = (child: ReturnType<typeof bench>) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      child.once('close', (code) => resolve({ code, stdout, stderr })),
    );
  };

  it('--rtt 10 stops with exit 2 and one line saying why, when netem is missing', {
    skip: tcAcceptsNetem() ? 'this kernel has netem: the mode runs here' : false,
  }, () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/bench.ts', '--rtt', '10', '--models', 'event-loop', '--scenarios', 'hello'],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `bench: --rtt 10: network-distance mode skipped: ${netnsUnavailable(10)}\n`);
  });

  it('--rtt 0 calibrates, validates and measures across the veth, records it, and deletes the namespaces', async () => {
    const out = join(dir, 'rtt0.json');
    const child = bench([
      '--rtt',
      '0',
      '--models',
      'event-loop',
      '--scenarios',
      'hello',
      '--connections',
      '2',
      '--duration',
      '1',
      '--warmup',
      '0',
      '--trials',
      '1',
      '--rounds',
      '1',
      '--out',
      out,
    ]);
    const r = await collect(child);
    assert.equal(r.code, 0, r.stderr);
    const results = Results.parse(JSON.parse(readFileSync(out, 'utf8')));
    assert.deepEqual(results.config.network, {
      mode: 'netns-veth',
      rttMs: 0,
      oneWayDelayMs: 0,
      serverNamespace: `sm-${child.pid}-srv`,
      clientNamespace: `sm-${child.pid}-cli`,
      serverAddress: '169.254.77.1',
      clientAddress: '169.254.77.2',
    });
    assert.ok((results.calibration[0]?.requestsPerSec ?? 0) > 0, 'calibration ran across the veth');
    const cell = results.cells[0];
    assert.equal(cell?.status, 'ok', cell?.error);
    assert.ok((cell?.validation.checked ?? 0) > 0);
    assert.ok((cell?.trials[0]?.requests ?? 0) > 0);
    // The notes wrap to the terminal's width: read them as one line.
    assert.match(
      r.stdout.replace(/\s+/g, ' '),
      /network: server in namespace sm-\d+-srv \(169\.254\.77\.1\), load generator in sm-\d+-cli \(169\.254\.77\.2\), one veth, no added delay/,
    );
    assert.match(r.stderr, new RegExp(`network: deleted namespaces sm-${child.pid}-srv and sm-${child.pid}-cli\\n$`));
    assert.doesNotMatch(r.stderr, /killed \d+ process/);
    assert.deepEqual(ourNamespaces(child.pid as number), []);
  });

  // SIGHUP: the terminal closed; only the outer process gets it, and must pass it on.
  for (const sig of ['SIGTERM', 'SIGHUP'] as const)
    it(`on ${sig} stops the run inside, exits 130 and deletes the namespaces with nothing left in them`, async () => {
      const out = join(dir, `interrupted-${sig}.json`);
      const child = bench([
        '--rtt',
        '0',
        '--models',
        'event-loop',
        '--scenarios',
        'hello',
        '--connections',
        '2',
        '--duration',
        '20',
        '--warmup',
        '0',
        '--trials',
        '1',
        '--out',
        out,
      ]);
      const done = collect(child);
      // Wait until a cell is under load: the server is inside its namespace then.
      const serverNs = `sm-${child.pid}-srv`;
      const deadline = Date.now() + 30_000;
      let serverPids: number[] = [];
      while (Date.now() < deadline) {
        serverPids = listNamespaces().includes(serverNs) ? namespacePids(serverNs) : [];
        if (serverPids.length > 0 && calibrated(out)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(serverPids.length > 0, 'a server ran inside the server namespace');
      child.kill(sig);
      const r = await done;
      assert.equal(r.code, 130, r.stderr);
      assert.match(r.stderr, /interrupted: stopping every process this run started/);
      assert.deepEqual(ourNamespaces(child.pid as number), []);
      for (const pid of serverPids) assert.equal(isAlive(pid), false, `server process ${pid} is gone`);
    });
});

/** The run has written its calibration (so the server now in the namespace is a model under test). */
function calibrated(path: string): boolean {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { calibration: unknown[] }).calibration.length > 0;
  } catch {
    return false;
  }
}

import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { parseResponse } from '../../bench/http/client.ts';
import { latencyHistogram, recordUs, summarizeLatency } from '../../bench/loadgen/latency.ts';
import { luaScript } from '../../bench/loadgen/wrk.ts';
import { liveProcesses, processTree, readStat } from '../../bench/os/procfs.ts';
import { treeCpuSec } from '../../bench/os/sampler.ts';
import { startSpawned } from '../../bench/targets/spawned.ts';
import { stopProblem } from '../../bench/targets/types.ts';
import { spawn } from 'node:child_process';

describe('latency histogram', () => {
  it('keeps microsecond resolution and the tail', () => {
    const h = latencyHistogram();
    for (let i = 1; i <= 1000; i++) recordUs(h, i * 10); // 10 µs .. 10 ms
    const l = summarizeLatency(h);
    assert.ok(Math.abs(l.p50 - 5000) <= 5, `p50 ${l.p50}`);
    assert.ok(Math.abs(l.p99 - 9900) <= 10, `p99 ${l.p99}`);
    assert.ok(Math.abs(l.max - 10_000) <= 10);
    assert.ok(l.spectrum && l.spectrum.length > 5 && l.spectrum.at(-1)?.[0] === 100);
    // sub-millisecond figures are not rounded to whole milliseconds
    const small = latencyHistogram();
    recordUs(small, 123.4);
    assert.equal(summarizeLatency(small).p50, 123);
  });
  it('is all zero when empty', () => {
    assert.equal(summarizeLatency(latencyHistogram()).p99, 0);
  });
});

describe('raw response parsing', () => {
  it('reads Content-Length and chunked responses back to back, and waits for more bytes', () => {
    const wire = Buffer.from(
      'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nX-A: 2\r\n\r\nhelloHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
    );
    const first = parseResponse(wire);
    assert.ok(first);
    assert.equal(first.response.status, 200);
    assert.equal(first.response.body.toString(), 'hello');
    assert.equal(first.response.headers['x-a'], '1, 2');
    const second = parseResponse(wire.subarray(first.consumed));
    assert.equal(second?.response.body.toString(), 'abcde');
    assert.equal(second?.consumed, wire.length - first.consumed);
    assert.equal(parseResponse(wire.subarray(0, 40)), null);
  });
  it('refuses what is not HTTP', () => {
    assert.throws(() => parseResponse(Buffer.from('SSH-2.0-x\r\n\r\n')), /not an HTTP\/1.x status line/);
  });
});

describe('wrk script', () => {
  it('escapes every byte and cycles the scenario requests', () => {
    const lua = luaScript({
      url: 'http://127.0.0.1:1',
      connections: 1,
      durationSec: 1,
      pipelining: 10,
      newConnectionPerRequest: true,
      requests: [{ method: 'POST', path: '/echo', body: 'a"\n' }],
      timeoutSec: 2,
    });
    assert.match(lua, /local depth = 10/);
    assert.match(lua, /\\97\\34\\10/); // a " \n
    assert.match(lua, /\\67\\111\\110\\110\\101\\99\\116\\105\\111\\110/); // "Connection" header for close
  });
});

describe('process-tree sampling', () => {
  const script = `
    const { spawn } = require('node:child_process');
    const kids = [1, 2].map(() => spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }));
    process.on('SIGTERM', () => { for (const k of kids) k.kill(); process.exit(0); });
    process.stdout.write('listening on http://127.0.0.1:1\\n');
    setInterval(() => {}, 1000);`;
  const leaky = `
    const { spawn } = require('node:child_process');
    const kid = spawn(process.execPath, ['-e', 'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    process.on('SIGTERM', () => process.exit(0));
    kid.stdout.once('data', () => process.stdout.write('listening on http://127.0.0.1:1\\n'));
    setInterval(() => {}, 1000);`;
  const spec = (source: string) => ({
    command: process.execPath,
    args: ['-e', source],
    cwd: process.cwd(),
    cpus: null,
    readyTimeoutMs: 10_000,
    stopGraceMs: 2000,
    leftoverWaitMs: 300,
  });

  it('finds the children of a started server and stops the whole group cleanly', async () => {
    const running = await startSpawned(spec(script));
    assert.ok(running.pid);
    assert.equal(processTree(running.pid).length, 3);
    assert.ok(treeCpuSec(running.pid) > 0);
    const report = await running.stop();
    assert.equal(stopProblem(report), undefined);
    assert.equal(liveProcesses(processTree(running.pid)).length, 0);
  });

  it('reports (and kills) what a server leaves behind', async () => {
    const running = await startSpawned(spec(leaky));
    const report = await running.stop();
    assert.equal(report.leftovers.length, 1);
    assert.match(stopProblem(report) ?? '', /left 1 process/);
    const deadline = Date.now() + 5000; // SIGKILL is delivered asynchronously
    while (liveProcesses(processTree(running.pid!)).length > 0 && Date.now() < deadline)
      await new Promise((r) => setImmediate(r));
    assert.equal(liveProcesses(processTree(running.pid!)).length, 0);
  });

  it('fails a server whose first line is not the ready line, without a sleep', async () => {
    await assert.rejects(
      startSpawned(spec(`console.log('hello'); setInterval(() => {}, 1000)`)),
      /first line was not "listening on/,
    );
    await assert.rejects(startSpawned(spec(`process.exit(3)`)), /exited \(code 3\) before it was ready/);
  });

  it('counts the CPU of children that have exited in their parent', async () => {
    const child = spawn(
      process.execPath,
      [
        '-e',
        `
      const { spawnSync } = require('node:child_process');
      spawnSync(process.execPath, ['-e', 'const t = Date.now(); while (Date.now() - t < 300) {}']);
      setInterval(() => {}, 1000);`,
      ],
      { stdio: 'ignore' },
    );
    after(() => child.kill('SIGKILL'));
    const pid = child.pid!;
    const deadline = Date.now() + 10_000;
    while ((readStat(pid)?.childrenCpuSec ?? 0) < 0.2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    assert.ok(treeCpuSec(pid) >= 0.2, `tree CPU ${treeCpuSec(pid)}`);
  });
});

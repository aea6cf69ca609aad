/**
 * The soak test (`npm run test:soak`, not part of `npm test`): every model, started as `npm run
 * serve` starts it (its own process, default settings), under everything at once for
 * SOAK_SECONDS (default 30) each:
 *
 * - mixed load: 4 clients, nine GET /hello to one GET /cpu?units=30, a connection per request
 *   (kept-alive connections would starve the blocking model by design, which is not this test);
 * - slow clients: 4 connections sending a request 8 bytes every 100 ms, a new one when it is answered;
 * - unread pipelines: 2 connections that send 500 GET /static/1M and never read;
 * - concurrent uploads: 3 writers PUT 512 KiB of their own letter to one name, 2 readers GET it;
 * - a fresh client every second: a new connection, GET /hello.
 *
 * It asserts that the server's process tree stays within 64 MiB of resident memory per hostile
 * connection above its baseline, that no upload is torn (every 200 answer is one writer's whole
 * body), that every PUT is stored (201 or 204), and that every fresh client is answered, within
 * 5 s on the concurrent models and, on the blocking model, within the time its timeouts let one
 * client hold it (30 s without reading, per unread pipeline ahead of it). Figures are printed.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { treeRssBytes } from '../../bench/os/sampler.ts';
import { serverDefaults } from '../../servers/defaults.ts';

const soakSeconds = Number(process.env.SOAK_SECONDS ?? 30);
const models = ['blocking', 'process-per-request', 'event-loop', 'worker-pool', 'prefork'];
const MiB = 2 ** 20;
const uploadBytes = 512 * 1024;
const hostileConnections = { slow: 4, unread: 2 };
const memoryBoundPerConnection = 64 * MiB;

interface Served {
  url: URL;
  pid: number;
  child: ChildProcess;
}

async function serve(model: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'servers/serve.ts', '--model', model], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<URL>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(new URL(match[1]!));
    });
    child.once('exit', (code) => reject(new Error(`serve --model ${model} exited ${code}`)));
  });
  return { url, pid: child.pid!, child };
}

function stop(served: Served): Promise<void> {
  if (served.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    served.child.once('exit', () => resolve());
    served.child.kill('SIGTERM');
  });
}

interface Answer {
  status: number;
  body: Buffer;
  ms: number;
}

/** One request on a connection of its own; rejects on a socket error or after timeoutMs. */
function exchange(url: URL, method: string, path: string, body?: Buffer, timeoutMs = 120_000): Promise<Answer> {
  const began = performance.now();
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, method, path, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - began }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A client that keeps one hostile connection open, opening another whenever the server closes it. */
function hostile(url: URL, open: (socket: Socket) => void, running: () => boolean): Promise<number> {
  let opened = 0;
  return new Promise((resolve) => {
    const next = (): void => {
      if (!running()) return resolve(opened);
      opened++;
      const socket = connect({ host: url.hostname, port: Number(url.port) });
      socket.on('error', () => {});
      socket.once('connect', () => open(socket));
      socket.once('close', () => setTimeout(next, 100));
    };
    next();
  });
}

async function soak(model: string): Promise<void> {
  const served = await serve(model);
  const children: Promise<unknown>[] = [];
  let running = true;
  const isRunning = () => running;
  try {
    await exchange(served.url, 'GET', '/hello');
    await sleep(500);
    const baseline = treeRssBytes(served.pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, treeRssBytes(served.pid));
    }, 200);

    const mixed = { answered: 0, failed: 0 };
    for (let c = 0; c < 4; c++)
      children.push(
        (async () => {
          for (let i = 0; running; i++) {
            const path = i % 10 === 9 ? '/cpu?units=30' : '/hello';
            const answer = await exchange(served.url, 'GET', path).catch(() => undefined);
            if (answer?.status === 200) mixed.answered++;
            else mixed.failed++;
          }
        })(),
      );
    // One request per connection (Connection: close): a slow client that kept its connection would hold the
    // blocking model for as long as it liked, the starvation the bench's starved flag shows, not a fault.
    const slowRequest = Buffer.from('GET /hello HTTP/1.1\r\nHost: soak\r\nConnection: close\r\n\r\n');
    for (let c = 0; c < hostileConnections.slow; c++)
      children.push(
        hostile(
          served.url,
          (socket) => {
            let offset = 0;
            const drip = setInterval(() => {
              if (!running || socket.destroyed || offset >= slowRequest.length) return clearInterval(drip);
              socket.write(slowRequest.subarray(offset, offset + 8));
              offset += 8;
            }, 100);
            socket.on('data', () => {});
            socket.once('close', () => clearInterval(drip));
          },
          isRunning,
        ),
      );
    for (let c = 0; c < hostileConnections.unread; c++)
      children.push(
        hostile(
          served.url,
          (socket) => {
            socket.pause();
            socket.write('GET /static/1M HTTP/1.1\r\nHost: soak\r\n\r\n'.repeat(500));
            const end = setInterval(() => {
              if (running) return;
              socket.destroy();
              clearInterval(end);
            }, 200);
          },
          isRunning,
        ),
      );

    const uploads = { stored: 0, refused: 0, reads: 0, torn: 0 };
    for (const letter of 'ABC')
      children.push(
        (async () => {
          const body = Buffer.alloc(uploadBytes, letter);
          while (running) {
            const answer = await exchange(served.url, 'PUT', '/upload/soak', body).catch(() => undefined);
            if (answer && (answer.status === 201 || answer.status === 204)) uploads.stored++;
            else uploads.refused++;
          }
        })(),
      );
    for (let r = 0; r < 2; r++)
      children.push(
        (async () => {
          while (running) {
            const answer = await exchange(served.url, 'GET', '/upload/soak').catch(() => undefined);
            if (answer?.status !== 200) continue;
            uploads.reads++;
            const first = answer.body[0];
            if (answer.body.length !== uploadBytes || answer.body.some((b) => b !== first)) uploads.torn++;
          }
        })(),
      );

    const probes: Promise<Answer | Error>[] = [];
    const deadline = performance.now() + soakSeconds * 1000;
    while (performance.now() < deadline) {
      probes.push(exchange(served.url, 'GET', '/hello').catch((error: Error) => error));
      await sleep(1000);
    }
    running = false;
    const answers = await Promise.all(probes);
    clearInterval(sampler);
    await Promise.all(children);

    const waits = answers.map((a) => (a instanceof Error ? Number.POSITIVE_INFINITY : a.ms));
    const worstMs = Math.max(...waits);
    const growth = peak - baseline;
    const bound = (hostileConnections.slow + hostileConnections.unread) * memoryBoundPerConnection;
    // One client may hold the blocking model until its send timeout; each unread pipeline ahead of a probe does.
    const probeBoundMs = model === 'blocking' ? (hostileConnections.unread + 1) * serverDefaults.sendTimeoutMs : 5_000;
    console.log(
      `${model}: ${soakSeconds} s; rss ${Math.round(baseline / MiB)} → peak ${Math.round(peak / MiB)} MiB (+${Math.round(growth / MiB)}, bound +${bound / MiB}); ` +
        `mixed ${mixed.answered} answered, ${mixed.failed} failed; uploads ${uploads.stored} stored, ${uploads.refused} refused, ` +
        `${uploads.reads} read, ${uploads.torn} torn; fresh clients ${answers.length}, worst wait ${Math.round(worstMs)} ms (bound ${probeBoundMs})`,
    );
    assert.ok(growth <= bound, `resident memory grew ${Math.round(growth / MiB)} MiB, over ${bound / MiB} MiB`);
    assert.equal(uploads.torn, 0, 'a read saw a torn upload');
    assert.equal(uploads.refused, 0, 'an upload was not stored');
    assert.ok(uploads.reads > 0, 'no upload was read back');
    assert.ok(
      answers.every((a) => !(a instanceof Error) && a.status === 200),
      'a fresh client got no answer',
    );
    assert.ok(worstMs <= probeBoundMs, `a fresh client waited ${Math.round(worstMs)} ms`);
    assert.ok(mixed.answered > 0, 'the mixed load got no answer');
  } finally {
    running = false;
    await stop(served);
  }
}

describe(`soak: every model under mixed load, slow clients, unread pipelines and uploads (${soakSeconds} s each)`, () => {
  for (const model of models) it(model, { timeout: (soakSeconds + 180) * 1000 }, () => soak(model));
});

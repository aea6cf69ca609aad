/**
 * A server killed with SIGKILL (no chance to clean up) leaves nothing behind
 * that runs or serves: prefork's workers exit when their primary's IPC channel
 * closes (node:cluster), and a per-request child is killed by the kernel
 * (PR_SET_PDEATHSIG, set by `setpriv`) instead of running on under init.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { httpRequest, processAlive, type TestServer } from './helpers.ts';

const serve = fileURLToPath(new URL('../../servers/serve.ts', import.meta.url));

/** Processes whose parent is `pid` (read from /proc). */
function childrenOfPid(pid: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Poll until none of `pids` is alive, or `ms` passes; the ones still alive. */
async function survivors(pids: number[], ms: number): Promise<number[]> {
  const until = performance.now() + ms;
  let alive = pids.filter(processAlive);
  while (alive.length > 0 && performance.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    alive = alive.filter(processAlive);
  }
  return alive;
}

async function startServe(model: string): Promise<{ pid: number; server: TestServer }> {
  const child = spawn(process.execPath, ['--import', 'tsx', serve, '--model', model, '--threads', '2'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  const url = new URL(line.slice('listening on '.length));
  return { pid: child.pid!, server: { host: url.hostname, port: Number(url.port) } as TestServer };
}

describe('a server killed with SIGKILL', () => {
  it('prefork: its workers exit, and nothing answers on its port', async () => {
    const { pid, server } = await startServe('prefork');
    const workers = childrenOfPid(pid);
    try {
      assert.equal(workers.length, 2, `workers: ${workers.join(' ')}`);
      assert.equal((await httpRequest(server, '/hello')).status, 200);
      process.kill(pid, 'SIGKILL');
      assert.deepEqual(await survivors(workers, 3_000), []);
      await assert.rejects(httpRequest(server, '/hello', { timeoutMs: 1_000 }));
    } finally {
      for (const worker of workers.filter(processAlive)) process.kill(worker, 'SIGKILL');
    }
  });

  it('process-per-request: the child running a request is killed with it', async () => {
    const { pid, server } = await startServe('process-per-request');
    const pending = httpRequest(server, '/io?ms=10000').catch(() => undefined);
    let children: number[] = [];
    try {
      // Wait for the request's child to run node (past setpriv's exec): a readiness probe on /proc.
      while (children.length === 0) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        children = childrenOfPid(pid).filter((child) => {
          const [command, file = ''] = readFileSync(`/proc/${child}/cmdline`, 'utf8').split('\0');
          return command === process.execPath && file.includes('process-per-request-child');
        });
      }
      process.kill(pid, 'SIGKILL');
      assert.deepEqual(await survivors(children, 3_000), []);
      await pending;
    } finally {
      for (const child of children.filter(processAlive)) process.kill(child, 'SIGKILL');
    }
  });
});

/**
 * The test-only fault injection: asked for through the `inject` option (the
 * serve command fills it from the environment), it adds its work to every
 * request of a model built on the shared driver: a spin (time) or a fixed
 * integer loop (work); unset, nothing changes.
 * Timings are lower bounds only: a loaded machine can only make them pass later.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { injectionFromEnvironment, injectionVariables, loop } from '../../servers/cores/inject.ts';
import { httpRequest, startServer, type TestServer } from './helpers.ts';

const serve = fileURLToPath(new URL('../../servers/serve.ts', import.meta.url));

async function timed(server: TestServer, path: string): Promise<number> {
  const start = performance.now();
  assert.equal((await httpRequest(server, path)).status, 200);
  return performance.now() - start;
}

describe('fault injection', () => {
  describe('a spin of 150 ms per request (event-loop)', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer('event-loop', { inject: { spinUs: 150_000 } });
    });
    after(() => server.close());

    it('every request takes at least the spin', async () => {
      for (let i = 0; i < 2; i++) assert.ok((await timed(server, '/hello')) >= 150);
    });
  });

  describe('a loop of 2e8 iterations per request (event-loop)', () => {
    let server: TestServer;
    before(async () => {
      server = await startServer('event-loop', { inject: { loopIterations: 2e8 } });
    });
    after(() => server.close());

    it('every request runs the loop: at least 100 ms each (a dependent chain of 2e8 steps of 6 operations)', async () => {
      for (let i = 0; i < 2; i++) assert.ok((await timed(server, '/hello')) >= 100);
    });
  });

  it('the loop is a fixed computation: the same result for the same count and seed, another for another', () => {
    assert.equal(loop(1_000, 0), loop(1_000, 0));
    assert.notEqual(loop(1_000, 0), loop(1_001, 0));
    assert.notEqual(loop(1_000, 0), loop(1_000, 7));
  });

  it('reads the environment: unset, empty or 0 is none; a number is taken; anything else is refused', () => {
    const { spinUs, loopIterations } = injectionVariables;
    assert.deepEqual(injectionFromEnvironment({ [loopIterations]: '5000' }), { loopIterations: 5000 });
    assert.deepEqual(injectionFromEnvironment({ [spinUs]: '4', [loopIterations]: '10' }), {
      spinUs: 4,
      loopIterations: 10,
    });
    assert.equal(injectionFromEnvironment({}), undefined);
    assert.equal(injectionFromEnvironment({ [spinUs]: '' }), undefined);
    assert.equal(injectionFromEnvironment({ [spinUs]: '0' }), undefined);
    assert.deepEqual(injectionFromEnvironment({ [spinUs]: '16' }), { spinUs: 16 });
    assert.throws(() => injectionFromEnvironment({ [spinUs]: '1.5' }), new RegExp(spinUs));
  });

  it('serve: a bad value is one line on stderr and exit 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', serve, '--model', 'event-loop'], {
      env: { ...process.env, [injectionVariables.spinUs]: 'fast' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 2);
    assert.match(stderr, /SERVER_MODELS_INJECT_SPIN_US=fast/);
    assert.equal(stderr.trimEnd().split('\n').length, 1);
  });

  it('serve: the ready line stays the first line, and the loop is applied', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', serve, '--model', 'event-loop'], {
      env: { ...process.env, [injectionVariables.loopIterations]: '200000000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [line] = (await once(lines, 'line')) as [string];
      lines.close();
      assert.match(line, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = new URL(line.slice('listening on '.length));
      const server = { host: url.hostname, port: Number(url.port) } as TestServer;
      assert.ok((await timed(server, '/hello')) >= 150);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});

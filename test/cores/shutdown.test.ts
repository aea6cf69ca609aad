/**
 * close() drains and leaves nothing behind: no socket, timer, child process or
 * worker thread of the server outlives it, on any model.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { childrenOf, httpRequest, runnableModels, processAlive, servedBy, startServer } from './helpers.ts';

const threadCount = (): number => readdirSync('/proc/self/task').length;
/**
 * What the process holds: sockets, servers, timers, child processes, pipes. Requests in flight are
 * left out (`FSReqCallback`, `FSReqPromise`, `CloseReq`, …): an fs call or a close under way, of this
 * test's own or of the previous test's clean-up, is no resource held; Node 24 lists more of them, at
 * moments that differ from run to run.
 */
const handles = (): string[] =>
  process
    .getActiveResourcesInfo()
    .filter((name) => !/Req(Callback|Promise|Wrap)?$/.test(name))
    .sort();

describe('shutdown', () => {
  for (const model of runnableModels) {
    it(`${model}: close() leaves no socket, timer, child process or thread`, async () => {
      await stat('/'); // start libuv's thread pool now, so that it is in the baseline
      await new Promise((r) => setImmediate(r));
      const baseline = { handles: handles(), threads: threadCount(), children: childrenOf() };
      const server = await startServer(model, { threads: 2 });
      const responses = await Promise.all([
        httpRequest(server, '/io?ms=100'),
        httpRequest(server, '/hello'),
        httpRequest(server, '/cpu?units=1'),
      ]);
      assert.deepEqual(
        responses.map((r) => r.status),
        [200, 200, 200],
      );
      const pids = responses.map((r) => servedBy(r.headers['x-served-by'] as string).pid);
      await server.close();
      await new Promise((r) => setImmediate(r));
      // A handle whose close is already under way (a CloseReq, for a loop turn or two) is not one left open.
      for (let turn = 0; turn < 50 && handles().includes('CloseReq'); turn++)
        await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(handles(), baseline.handles);
      assert.deepEqual(childrenOf(), baseline.children);
      // No thread of the server's is left; one of the previous test's may have ended meanwhile (seen on Node 24).
      assert.ok(threadCount() <= baseline.threads, `${threadCount()} threads, ${baseline.threads} before`);
      for (const pid of pids) if (pid !== process.pid) assert.ok(!processAlive(pid), `process ${pid} is gone`);
    });
  }
});

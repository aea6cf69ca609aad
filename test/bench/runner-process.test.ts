/** The runner-process plumbing both autocannon and the open-loop generator use. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AutocannonLoadGenerator } from '../../bench/loadgen/autocannon.ts';
import { isAlive } from '../../bench/os/processes.ts';

describe('a load generator in a runner process', () => {
  it('answers a job it cannot run with an error naming it, keeps serving, and exits on close', async () => {
    const pids: number[] = [];
    const generator = await AutocannonLoadGenerator.start({ cpus: null, onProcess: (pid) => pids.push(pid) });
    try {
      const job = {
        url: 'http://127.0.0.1:9/',
        connections: 1,
        durationSec: 0.2,
        pipelining: 1,
        newConnectionPerRequest: false,
        requests: [{ method: 'GET', path: '/' }],
        timeoutSec: 1,
      };
      await assert.rejects(
        generator.run({ ...job, rate: 100 }),
        /^Error: autocannon: autocannon runs closed loop only: a job with a rate needs the open-loop generator$/,
      );
      // Still there for the next job: the error was a reply, not a crash.
      assert.equal(pids.length, 1);
      assert.ok(isAlive(pids[0]!));
    } finally {
      await generator.close();
    }
    assert.ok(!isAlive(pids[0]!), 'the runner exits when the harness closes the channel');
  });
});

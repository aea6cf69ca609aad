/**
 * A harness killed with SIGKILL leaves nothing running: every process it started (the load
 * generator's runner, the servers and their children) is started to die with it (setpriv's
 * parent-death signal, bench/os/processes.ts), since SIGKILL gives it no chance to stop them.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAlive } from '../../bench/os/processes.ts';
import { processTree } from '../../bench/os/procfs.ts';

const work = mkdtempSync(join(tmpdir(), 'server-models-sigkill-'));
after(() => rmSync(work, { recursive: true, force: true }));
const hasSetpriv = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true']).status === 0;

/** The serve command, as the harness starts it: bundled (bench/targets/model.ts). */
const isServe = (command: string): boolean => /serve-[0-9a-f]{16}\.mjs/.test(command);

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

describe('SIGKILL of the harness', { skip: !hasSetpriv && 'no setpriv (util-linux) here' }, () => {
  it('leaves no server, server child or load generator running', async () => {
    const harness = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/bench.ts',
        '--profile',
        'smoke',
        '--models',
        'prefork',
        '--scenarios',
        'hello',
        '--duration',
        '5',
        '--out',
        join(work, 'r.json'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const pid = harness.pid!;
    let output = '';
    harness.stdout.on('data', (d: Buffer) => (output += d));
    harness.stderr.on('data', (d: Buffer) => (output += d));
    // Wait until a server and its workers run under the harness (calibration comes first).
    let tree: number[] = [];
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      tree = processTree(pid)
        .map((p) => p.pid)
        .filter((p) => p !== pid);
      const servers = tree.filter((p) => isServe(commandOf(p)));
      // The load generator's runner, the server and its one worker (one server CPU: one worker).
      if (servers.length > 0 && tree.length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(
      tree.some((p) => isServe(commandOf(p))),
      `no server started under the harness: ${output}`,
    );
    const exited = new Promise((r) => harness.once('exit', r));
    harness.kill('SIGKILL');
    await exited;
    const gone = Date.now() + 5_000;
    while (Date.now() < gone && tree.some((p) => isAlive(p) && commandOf(p) !== ''))
      await new Promise((r) => setTimeout(r, 100));
    const left = tree.filter((p) => isAlive(p) && commandOf(p) !== '').map((p) => `${p} ${commandOf(p).slice(0, 80)}`);
    assert.deepEqual(left, []);
  });
});

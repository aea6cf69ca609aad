/**
 * Temporary folders left by a killed process are removed by the next one of the same kind, and a
 * live process's folder is never touched (servers/scratch-dir.ts).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeScratchDir, removeOrphans } from '../../servers/scratch-dir.ts';

const parent = mkdtempSync(join(tmpdir(), 'server-models-scratch-test-'));
after(() => rmSync(parent, { recursive: true, force: true }));

/** The PID of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('scratch folders', () => {
  it('removes the folders of the same kind whose process is gone, and no other', () => {
    const dir = mkdtempSync(join(parent, 'unit-'));
    const dead = deadPid();
    const orphan = `server-models-upload-${dead}-AbC123`;
    const live = `server-models-upload-${process.pid}-XyZ789`;
    const otherKind = `server-models-wrk-${dead}-QwE456`;
    const unrelated = 'server-models-upload-notapid';
    for (const name of [orphan, live, otherKind, unrelated]) mkdirSync(join(dir, name));
    assert.deepEqual(removeOrphans('upload', dir), [orphan]);
    assert.deepEqual(readdirSync(dir).sort(), [live, otherKind, unrelated].sort());
    const made = makeScratchDir('wrk', dir);
    assert.match(made, new RegExp(`server-models-wrk-${process.pid}-[^-]+$`));
    assert.equal(existsSync(join(dir, otherKind)), false);
  });

  it("a server killed with SIGKILL leaves its upload folder, and the next server's start removes it", async () => {
    const tmp = mkdtempSync(join(parent, 'serve-'));
    const start = async (): Promise<{ pid: number; stop: (signal: NodeJS.Signals) => Promise<void> }> => {
      const server = spawn(process.execPath, ['--import', 'tsx', 'servers/serve.ts', '--model', 'event-loop'], {
        env: { ...process.env, TMPDIR: tmp },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (d: Buffer) => d.toString().includes('listening on') && resolve());
        server.once('exit', (code) => reject(new Error(`serve exited ${code} before listening`)));
      });
      const stop = (signal: NodeJS.Signals) =>
        new Promise<void>((resolve) => {
          server.once('exit', () => resolve());
          server.kill(signal);
        });
      return { pid: server.pid!, stop };
    };
    const uploads = () => readdirSync(tmp).filter((n) => n.startsWith('server-models-upload-'));
    const first = await start();
    const left = uploads();
    assert.equal(left.length, 1);
    assert.match(left[0]!, new RegExp(`-${first.pid}-`));
    await first.stop('SIGKILL');
    assert.deepEqual(uploads(), left, 'SIGKILL runs no clean-up');
    const second = await start();
    const now = uploads();
    assert.equal(now.length, 1);
    assert.match(now[0]!, new RegExp(`-${second.pid}-`));
    await second.stop('SIGTERM');
    assert.deepEqual(uploads(), [], 'a clean stop removes its own folder');
  });
});

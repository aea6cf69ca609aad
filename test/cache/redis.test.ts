/**
 * The private Redis's life: it starts on a free port of 127.0.0.1, answers PING,
 * keeps nothing on disk, and leaves no process and no folder when stopped, nor
 * a process when the process that started it is killed with SIGKILL (the
 * parent-death signal).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { pings, redisUnavailable, startRedis } from '../../servers/cache/redis.ts';
import { processAlive } from '../cores/helpers.ts';

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

/** A process's command line (redis-server rewrites it to its title, `redis-server HOST:PORT`). */
function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
}

const unavailable = redisUnavailable();

describe('the private Redis', { skip: unavailable }, () => {
  it('starts on 127.0.0.1, answers PING, and stop() leaves no process and no folder', async () => {
    const redis = await startRedis();
    const url = new URL(redis.url);
    assert.equal(url.hostname, '127.0.0.1');
    assert.ok(Number(url.port) > 0);
    assert.equal(await pings(Number(url.port)), true);
    assert.match(commandLine(redis.pid), /^redis-server 127\.0\.0\.1:\d+/);
    // redis-server works in its --dir: the scratch folder, named for the process that started it.
    const folder = readlinkSync(`/proc/${redis.pid}/cwd`);
    assert.match(folder, new RegExp(`/server-models-redis-${process.pid}-[^/]+$`));
    await redis.stop();
    assert.equal(processAlive(redis.pid), false, 'redis-server is still running');
    assert.equal(await pings(Number(url.port)), false);
    assert.equal(existsSync(folder), false, 'the folder is left');
  });

  it('keeps nothing on disk: no RDB snapshot, no append-only file', async () => {
    const redis = await startRedis();
    try {
      const config = await redisCommand(
        Number(new URL(redis.url).port),
        'CONFIG GET save\r\nCONFIG GET appendonly\r\n',
      );
      assert.match(config, /save\r\n\$0\r\n\r\n/);
      assert.match(config, /appendonly\r\n\$2\r\nno\r\n/);
    } finally {
      await redis.stop();
    }
  });

  it('dies with the process that started it, even by SIGKILL', async () => {
    const script =
      "const { startRedis } = await import('./servers/cache/redis.ts');" +
      "const r = await startRedis(); process.stdout.write(String(r.pid) + '\\n'); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const pid = Number(line);
    assert.ok(pid > 0 && processAlive(pid), `redis-server ${line} is running`);
    child.kill('SIGKILL');
    await once(child, 'exit');
    assert.ok(await until(() => !processAlive(pid), 5_000), `redis-server ${pid} outlived its parent`);
  });
});

/** Send inline commands on one connection and resolve with what came back once the server closes it (QUIT). */
function redisCommand(port: number, commands: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${commands}QUIT\r\n`));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

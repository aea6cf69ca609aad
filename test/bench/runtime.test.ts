/**
 * `--node`: the servers under test on another runtime. A path that is no Node, or a major version
 * not installed, is a one-line usage error; with Node 24 installed (npm run setup:node -- 24, as
 * .ci/run does), the registry is read on it (reuseport available there) and a cell records it.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { listModels } from '../../bench/plan/servers.ts';
import { UsageError } from '../../bench/plan/options.ts';
import { installedNodePath, resolveRuntime } from '../../bench/os/runtime.ts';

describe('--node', () => {
  it('is this process by default', () => {
    assert.deepEqual(resolveRuntime(undefined), { path: process.execPath, version: process.version, own: true });
  });
  it('refuses a path that is not a Node binary, and a major version not installed, in one line', () => {
    for (const [flag, pattern] of [
      ['/bin/false', /not a Node binary/],
      ['/nonexistent/node', /not a Node binary/],
      ['97', /no Node 97 installed here; npm run setup:node -- 97/],
    ] as const) {
      assert.throws(
        () => resolveRuntime(flag),
        (e: unknown) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes('\n'),
      );
    }
  });
  const node24 = installedNodePath('24');
  it('reads which models run on the serving runtime from that runtime', {
    skip: !existsSync(node24) && 'no Node 24 under .tools (npm run setup:node -- 24)',
  }, async () => {
    const runtime = resolveRuntime('24');
    assert.match(runtime.version, /^v24\./);
    const models = await listModels(runtime);
    assert.equal(models.find((m) => m.name === 'reuseport')?.unavailable, undefined);
    const here = await listModels();
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    if (major < 22 || (major === 22 && minor < 12)) assert.ok(here.find((m) => m.name === 'reuseport')?.unavailable);
  });
  it('serve --node: a major version not installed is one line and exit 2', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'servers/serve.ts', '--node', '97', '--model', 'event-loop'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^serve: --node 97: no Node 97 installed here[^\n]*\n$/);
  });
  it('serve --node 24 serves the reuseport model on Node 24', {
    skip: !existsSync(node24) && 'no Node 24 under .tools',
  }, async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'servers/serve.ts', '--node', '24', '--model', 'reuseport'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk;
          const match = /^listening on (http:\/\/\S+)\n/.exec(out);
          if (match) resolve(match[1]!);
        });
        child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
      });
      const response = await fetch(`${url}/hello`);
      assert.equal(response.status, 200);
      assert.equal(await response.text(), 'Hello, World!');
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  });
});

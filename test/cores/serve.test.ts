/**
 * The serve command's contract, as the harness and outside users rely on it:
 * the ready line, --help, usage errors (exit 2), and a drained exit 0 on
 * SIGTERM and SIGINT. curl is the outside client here.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, it } from 'node:test';
import { registry } from '../../servers/registry.ts';
import { processAlive } from './helpers.ts';

const serve = fileURLToPath(new URL('../../servers/serve.ts', import.meta.url));
const run = promisify(execFile);

function startServe(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', serve, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The first line on standard output: the ready signal. */
async function readyLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

async function exitOf(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stderr };
}

describe('serve command', () => {
  for (const [model, signal] of [
    ['event-loop', 'SIGTERM'],
    ['process-per-request', 'SIGINT'],
    ['worker-pool', 'SIGTERM'],
  ] as const) {
    it(`${model}: prints the ready line, serves curl, and exits 0 on ${signal}`, async () => {
      const child = startServe(['--model', model, '--port', '0', '--threads', '2']);
      const exited = exitOf(child);
      const line = await readyLine(child);
      assert.match(line, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.slice('listening on '.length);
      const { stdout } = await run('curl', ['-sS', '-i', '--max-time', '10', `${url}/hello`]);
      assert.match(stdout, /^HTTP\/1\.1 200/);
      assert.match(stdout, /\r\n\r\nHello, World!$/);
      const servedBy = /X-Served-By: (\d+)\//i.exec(stdout)?.[1];
      child.kill(signal);
      const { code, stderr } = await exited;
      assert.equal(code, 0, stderr);
      assert.equal(processAlive(child.pid!), false);
      if (model === 'process-per-request') assert.equal(processAlive(Number(servedBy)), false);
    });
  }

  it('--access-log FILE: the prefork workers log every response to it by the time the server exits', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'server-models-serve-log-'));
    try {
      const file = join(dir, 'access.log');
      const child = startServe(['--model', 'prefork', '--threads', '2', '--access-log', file]);
      const exited = exitOf(child);
      const url = (await readyLine(child)).slice('listening on '.length);
      // curl's own figures for each response: status and body bytes downloaded.
      const { stdout } = await run('curl', [
        '-sS',
        ...['/hello', '/nowhere', '/static/1k'].flatMap(() => ['-o', '/dev/null']),
        '-w',
        '%{http_code} %{size_download}\n',
        '--max-time',
        '10',
        `${url}/hello`,
        `${url}/nowhere`,
        `${url}/static/1k`,
      ]);
      const seen = stdout.trimEnd().split('\n');
      assert.deepEqual(
        seen.map((line) => line.split(' ')[0]),
        ['200', '404', '200'],
      );
      child.kill('SIGTERM');
      const { code, stderr } = await exited;
      assert.equal(code, 0, stderr);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.deepEqual(
        lines.map((line) => / "(.*)" (\d+ \S+)$/.exec(line)?.slice(1).join(' ')),
        ['/hello', '/nowhere', '/static/1k'].map((path, i) => `GET ${path} HTTP/1.1 ${seen[i]}`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--help lists every model with its summary', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', serve, '--help']);
    for (const entry of registry) {
      assert.ok(stdout.includes(entry.name), `lists ${entry.name}`);
      assert.ok(stdout.includes(entry.summary), `summarises ${entry.name}`);
    }
  });

  for (const [what, args, message] of [
    ['an unknown flag', ['--model', 'event-loop', '--bogus'], /bogus/],
    ['an unknown model', ['--model', 'no-such-model'], /unknown model "no-such-model"/],
    ['a bad port', ['--model', 'event-loop', '--port', '70000'], /--port 70000/],
    ['a missing model', [], /--model/],
    ['a cap of no children', ['--model', 'process-per-request', '--max-children', '0'], /--max-children 0/],
    ['a root that is not a folder', ['--model', 'event-loop', '--root', '/nonexistent/site'], /--root/],
    [
      'an access log in a missing folder',
      ['--model', 'event-loop', '--access-log', '/nonexistent/dir/access.log'],
      /--access-log .*ENOENT/,
    ],
  ] as const) {
    it(`${what}: one line on stderr, exit 2`, async () => {
      const { code, stderr } = await exitOf(startServe([...args]));
      assert.equal(code, 2);
      assert.match(stderr, message);
      assert.equal(stderr.trimEnd().split('\n').length, 1, stderr);
    });
  }
});

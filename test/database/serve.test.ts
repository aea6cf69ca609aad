/**
 * The serve command with a database: `--db embedded` serves a /fortunes page that
 * passes TechEmpower's rules and removes its cluster on SIGTERM; a bad or
 * unreachable `--db-url` is one line and exit 2.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { expectedFortunesPage } from '../../servers/app/exchanges/database.ts';

const serve = fileURLToPath(new URL('../../servers/serve.ts', import.meta.url));

function startServe(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', serve, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number | null, stderr }));
  return { child, exited };
}

/** The cluster folders under the temporary directory that a postgres process of `parent` runs in. */
function clusterFoldersOf(parent: number): string[] {
  const folders: string[] = [];
  for (const name of readdirSync('/proc')) {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const k = command.indexOf('-k');
      if (ppid === parent && k > 0 && command[k + 1]?.startsWith(tmpdir())) folders.push(command[k + 1] as string);
    } catch {
      // not a process, or gone
    }
  }
  return folders;
}

describe('serve with a database', () => {
  it('--db embedded serves TechEmpower fortunes and removes the cluster on SIGTERM', async () => {
    const { child, exited } = startServe(['--model', 'event-loop', '--db', 'embedded']);
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const url = line.slice('listening on '.length);
    const folders = clusterFoldersOf(child.pid!);
    assert.equal(folders.length, 1);
    const response = await fetch(`${url}/fortunes`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.ok(response.headers.get('date') && response.headers.get('server'));
    const body = await response.text();
    assert.equal(Number(response.headers.get('content-length')), Buffer.byteLength(body));
    assert.equal(body, expectedFortunesPage);
    child.kill('SIGTERM');
    const { code, stderr } = await exited;
    assert.equal(code, 0, stderr);
    assert.equal(existsSync(folders[0] as string), false, 'the cluster folder is left');
  });

  for (const [what, url] of [
    ['not a URL', 'nonsense'],
    ['not postgres', 'mysql://localhost/x'],
    ['unreachable', 'postgres://u:p@127.0.0.1:1/db'],
  ] as const) {
    it(`--db-url ${what}: one line, exit 2`, async () => {
      const { exited } = startServe(['--model', 'event-loop', '--db-url', url]);
      const { code, stderr } = await exited;
      assert.equal(code, 2);
      assert.match(stderr, /^serve: --db-url[^\n]*\n$/);
      assert.doesNotMatch(stderr, /:p@/, 'the password is not printed');
    });
  }
});

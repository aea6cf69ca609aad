/**
 * The per-request child loads its bundle from V8's code cache, which the parent
 * writes at start (servers/cores/process-per-request/code-cache.ts). V8 drops a
 * cache made under other flags or by another V8 without a word, and the child
 * then parses the whole bundle again: this checks that a plain `node`, as the
 * child runs, accepts the cache a server (under tsx) made.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { httpRequest, startServer, type TestServer } from './helpers.ts';

const buildDir = fileURLToPath(new URL('../../node_modules/.cache/server-models-build/', import.meta.url));

/** Whether V8 in a fresh `node`, with the child's empty flags, rejects `file`'s cache (compiled as code-cache.ts does). */
function rejectedByChild(file: string): boolean {
  const probe = `
    const { readFileSync } = require('node:fs');
    const { Script, constants } = require('node:vm');
    const file = process.argv[1];
    const source = '(function (exports, require, module, __filename, __dirname) {' + readFileSync(file, 'utf8') + '\\n})';
    const script = new Script(source, { filename: file, cachedData: readFileSync(file + '.v8cache'),
      importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    process.stdout.write(String(script.cachedDataRejected));`;
  const out = execFileSync(process.execPath, ['-e', probe, file], { env: { PATH: process.env.PATH ?? '' } });
  return out.toString() !== 'false';
}

describe('process-per-request: the child starts from a code cache', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer('process-per-request');
  });
  after(() => server.close());

  it('writes a cache beside the bundle that a plain node child accepts', async () => {
    assert.equal((await httpRequest(server, '/hello')).status, 200);
    const bundles = readdirSync(buildDir).filter((name) => /^process-per-request-child-[0-9a-f]+\.cjs$/.test(name));
    const cached = bundles.map((name) => join(buildDir, name)).filter((file) => existsSync(`${file}.v8cache`));
    assert.ok(cached.length > 0, 'no code cache beside a child bundle');
    for (const file of cached) assert.equal(rejectedByChild(file), false, `V8 rejected the code cache of ${file}`);
  });
});

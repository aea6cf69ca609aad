import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResults } from '../../bench/results/file.ts';
import { heldCells, resultsOf } from './helpers.ts';

// One tsx start per case (~0.3 s); the cases are few.
function run(args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/findings.ts', ...args], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('npm run findings', () => {
  let dir = '';
  let good = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'findings-cli-'));
    good = join(dir, 'run.json');
    writeResults(good, resultsOf(heldCells()));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints a table and exits 0', () => {
    const r = run([good]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /1\. held\s+Backend waits/);
    assert.match(r.out, /7 held, 0 not held, 0 not measured/);
  });

  it('exits 0 when findings do not hold (reported, not enforced)', () => {
    const path = join(dir, 'empty.json');
    writeResults(path, resultsOf([]));
    const r = run([path]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /0 held, 0 not held, 7 not measured/);
  });

  it('prints JSON with --json', () => {
    const r = run([good, '--json']);
    assert.equal(r.code, 0, r.err);
    const findings = JSON.parse(r.out) as Array<{ status: string }>;
    assert.equal(findings.length, 7);
    assert.ok(findings.every((f) => f.status === 'held'));
  });

  it('exits 2 with one line on a bad flag, a missing file, a broken file or no file', () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"schema": "something-else"}');
    for (const args of [[good, '--bogus'], [join(dir, 'missing.json')], [broken], []]) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.match(r.err, /^findings: /);
      assert.equal(r.out, '');
    }
  });
});

/**
 * Bad output paths and odd input files, as a clumsy user meets them: every command answers with
 * one line naming the problem and exit 2, no stack trace, and leaves no file behind (no temporary
 * `.NAME.PID.tmp`, no half-made folder). Also the unit under them: bench/results/output.ts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readResults, ResultsFileError, writeResults } from '../../bench/results/file.ts';
import {
  checkOutputDir,
  checkOutputFile,
  ensureDir,
  OutputPathError,
  writeFileAtomic,
} from '../../bench/results/output.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

const work = mkdtempSync(join(tmpdir(), 'server-models-paths-'));
const results = join(work, 'run.json');

function run(script: string, args: string[]): { status: number | null; stderr: string; stdout: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

/** One line on standard error, exit 2, no stack trace. */
function assertOneLine(r: ReturnType<typeof run>, pattern: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at |ENOENT|EISDIR|ENOTDIR|EROFS/);
}

before(() => writeResults(results, syntheticResults()));
after(() => rmSync(work, { recursive: true, force: true }));

describe('bad output paths', () => {
  it('report --out under /proc fails at once (it used to spin forever) and says why', () => {
    assertOneLine(run('report', [results, '--out', '/proc/nope/rep']), /^report: .*\/proc file system/);
  });
  it('dashboard --out under /proc and inside a file', () => {
    assertOneLine(run('dashboard', [work, '--out', '/proc/nope/d']), /^dashboard: .*\/proc file system/);
    assertOneLine(run('dashboard', [work, '--out', join(results, 'd')]), /^dashboard: .* is a file, not a folder/);
  });
  it('compare --markdown on a folder, --json in a read-only folder: nothing written', () => {
    assertOneLine(run('compare', [results, results, '--markdown', work]), /^compare: .* it is a folder/);
    const ro = join(work, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    // root may write anywhere; the check is then the unit test's.
    if (process.getuid?.() !== 0)
      assertOneLine(run('compare', [results, results, '--json', join(ro, 'c.json')]), /not writable/);
    assert.deepEqual(readdirSync(ro), []);
  });
  it('bench --out under /proc fails before calibrating; --out a folder writes inside it', () => {
    const r = run('bench', ['--profile', 'smoke', '--out', '/proc/nope/r.json']);
    assertOneLine(r, /^bench: cannot write results file \/proc\/nope\/r\.json/);
    assert.doesNotMatch(r.stdout, /calibration/);
  });
});

describe('odd input files', () => {
  it('reads a file that starts with a byte-order mark', () => {
    const bom = join(work, 'bom.json');
    writeFileSync(bom, `\uFEFF${JSON.stringify(syntheticResults())}`);
    assert.equal(readResults(bom).schema, 'server-models/results');
  });
  it('rejects a number too large to be finite, in one line, in every tool', () => {
    const inf = join(work, 'inf.json');
    const text = JSON.stringify(syntheticResults()).replace(/"requestsPerSec":\d+(\.\d+)?/, '"requestsPerSec":1e999');
    writeFileSync(inf, text);
    assert.throws(
      () => readResults(inf),
      (e: unknown) => e instanceof ResultsFileError && /too large/.test(e.message),
    );
    assertOneLine(run('findings', [inf]), /^findings: .*too large to be finite/);
    assertOneLine(run('compare', [inf, results]), /^compare: .*too large to be finite/);
  });
  it('names a missing file in words, not an error code', () => {
    assertOneLine(run('findings', [join(work, 'missing.json')]), /cannot read .*missing\.json: no such file/);
  });
});

describe('bench/results/output.ts', () => {
  it('makes folders level by level and writes atomically, leaving no temporary file', () => {
    const deep = join(work, 'a', 'b', 'c');
    ensureDir(deep);
    writeFileAtomic(join(deep, 'f.txt'), 'x');
    assert.deepEqual(readdirSync(deep), ['f.txt']);
  });
  it('refuses a folder as a file, a file as a folder, and /proc, before creating anything', () => {
    assert.throws(() => checkOutputFile(work), OutputPathError);
    assert.throws(() => checkOutputDir(join(results, 'x')), /is a file, not a folder/);
    assert.throws(() => checkOutputDir('/proc/nope'), /\/proc file system/);
    assert.ok(!existsSync(join(results, 'x')));
  });
  it('removes its temporary file when the rename fails', () => {
    const target = join(work, 'is-a-folder');
    mkdirSync(join(target, 'inside'), { recursive: true });
    const before = readdirSync(work).sort();
    assert.throws(() => writeFileAtomic(target, 'x'), OutputPathError);
    // Whatever the temporary file was called, the folder holds what it held.
    assert.deepEqual(readdirSync(work).sort(), before);
  });
});

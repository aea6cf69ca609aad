import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runConformance, runVector, summaryLine } from '../../scripts/conformance/runner.ts';
import { skips } from '../../scripts/conformance/skips.ts';
import { readVectors, VectorFileError, type Vector } from '../../scripts/conformance/vectors.ts';

const fixture = fileURLToPath(new URL('../fixtures/llhttp/llhttp-requests.json', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

describe('llhttp conformance vectors', () => {
  const vectors = readVectors(fixture);
  const summary = runConformance(vectors);

  it('passes every vector that is not deliberately skipped (whole, split at every byte, byte by byte)', () => {
    const failures = summary.results.flatMap((r) => (r.status === 'failed' ? [`${r.id}: ${r.problem}`] : []));
    assert.deepEqual(failures, []);
    assert.ok(summary.passed >= 60, summaryLine(summary));
  });

  it('skips no strict HTTP/1.x vector except the ones listed with a reason and RFC clause', () => {
    for (const skip of skips) assert.ok(skip.reason.length > 0 && skip.clause.startsWith('RFC'), skip.reason);
    const strictSkipped = summary.results.filter(
      (r) => r.status === 'skipped' && vectors.find((v) => v.id === r.id)!.mode === 'strict',
    );
    assert.ok(strictSkipped.length <= 6, strictSkipped.map((r) => r.id).join(', '));
  });

  it('fails a vector whose expectation the parser does not meet (the runner can fail)', () => {
    const raw = Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const wrong: Vector = {
      id: 'synthetic/wrong header',
      mode: 'strict',
      lenient_flags: [],
      tags: [],
      raw_base64: raw.toString('base64'),
      expect: { ok: true, messages: [{ method: 'GET', url: '/', headers: [['Host', 'y']], complete: true }] },
    };
    assert.equal(runVector(wrong).status, 'failed');
    const accepted: Vector = {
      ...wrong,
      expect: { ok: false, error_after_messages: 0, reason: 'x', error_name: 'HPE_X', messages: [] },
    };
    assert.equal(runVector(accepted).status, 'failed');
  });

  it('rejects a file that is not in the vectors format with a one-line error', () => {
    assert.throws(
      () => readVectors(`${root}/package.json`),
      (error: unknown) => error instanceof VectorFileError && !error.message.includes('\n'),
    );
  });

  it('runs from the command line: exit 0 and the summary last, exit 2 on a missing file', () => {
    const tsx = `${root}/node_modules/.bin/tsx`;
    const ok = spawnSync(tsx, ['scripts/conformance.ts', fixture], { cwd: root, encoding: 'utf8' });
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout.trim().split('\n').at(-1), summaryLine(summary));
    const missing = spawnSync(tsx, ['scripts/conformance.ts', 'no-such-file.json'], { cwd: root, encoding: 'utf8' });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr.trim(), /^conformance: cannot read no-such-file\.json/);
  });

  it('skips, with their reasons, the two deliberate differences wherever llhttp tests them (the full suite too)', () => {
    const vector = (id: string, raw: string, expect: Vector['expect']): Vector => ({
      id,
      mode: 'strict',
      lenient_flags: [],
      tags: [],
      raw_base64: Buffer.from(raw, 'latin1').toString('base64'),
      expect,
    });
    // As in llhttp's test/request/invalid.md and transfer-encoding.md, which the bundled subset leaves out.
    const rejected = {
      ok: false,
      error_after_messages: 0,
      reason: 'Invalid method for HTTP/x.x request',
      error_name: 'HPE_INVALID_CONSTANT',
      messages: [],
    } as const satisfies Vector['expect'];
    const announce = vector('invalid/HTTP protocol and ANNOUNCE method', 'ANNOUNCE /m HTTP/1.0\r\nHost: e\r\n\r\n', {
      ...rejected,
      messages: [],
    });
    const deflate = vector(
      'transfer-encoding/POST with `chunked` as last transfer-encoding',
      'POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: deflate, chunked\r\n\r\n1\r\nA\r\n0\r\n\r\n',
      { ok: true, messages: [{ method: 'POST', url: '/', complete: true }] },
    );
    for (const [v, why] of [
      [announce, /method/],
      [deflate, /501/],
    ] as const) {
      const result = runVector(v);
      assert.equal(result.status, 'skipped', v.id);
      assert.match(result.status === 'skipped' ? result.skip.reason : '', why);
    }
    // Not a blanket pass: the same bytes with another expectation are judged, and fail.
    assert.equal(
      runVector({ ...announce, expect: { ...rejected, messages: [], reason: 'Invalid method' } }).status,
      'failed',
    );
    const plain = 'POST / HTTP/1.1\r\nHost: e\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    assert.equal(runVector({ ...deflate, raw_base64: Buffer.from(plain).toString('base64') }).status, 'passed');
  });
});

/**
 * One run's cells exported without a comparison (bench/results/export.ts, scripts/export.ts): CSV with
 * units in its column names and empty fields where a figure does not exist, Bencher Metric Format
 * and github-action-benchmark's two files; a bad path or file is one line and exit 2, nothing written.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { cellsCsv, runBenchmarkAction, runBmf } from '../../bench/results/export.ts';
import { writeResults } from '../../bench/results/file.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

const work = mkdtempSync(join(tmpdir(), 'server-models-export-'));
after(() => rmSync(work, { recursive: true, force: true }));

const results = syntheticResults([
  { model: 'event-loop', scenario: 'hello', connections: 16, rps: 20_000, p99Us: 2000 },
  { model: 'blocking', scenario: 'hello', connections: 16, rps: 0, p99Us: 0, starved: true },
]);
results.cells[0]!.error = 'a note, with a comma and "quotes"';

function exportCmd(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export.ts', ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('exports of a single run', () => {
  it('CSV: a header with units, one row per cell, quoted where needed, no latency for a cell that answered nothing', () => {
    const [header, loop, blocking, end] = cellsCsv(results).split('\r\n');
    const names = header!.split(',');
    assert.ok(
      names.includes('p99_us') && names.includes('server_cpu_ms_per_kreq') && names.includes('requests_per_sec'),
    );
    assert.equal(end, '');
    const row = (line: string) =>
      Object.fromEntries(names.map((n, i) => [n, line.match(/("([^"]|"")*"|[^,]*)(,|$)/g)![i]!.replace(/,$/, '')]));
    const l = row(loop!);
    assert.equal(l.model, 'event-loop');
    // Ten significant digits: a spreadsheet's precision, without a double's noise.
    assert.equal(Number(l.p99_us), Number(results.cells[0]!.summary!.p99Us.median.toPrecision(10)));
    assert.equal(l.error, '"a note, with a comma and ""quotes"""');
    const b = row(blocking!);
    assert.equal(b.flags, 'W');
    assert.equal(b.p99_us, '', 'no answer: no latency, not 0');
  });

  it('BMF and github-action-benchmark: the medians with their range, cells that answered nothing left out', () => {
    const bmf = runBmf(results);
    assert.deepEqual(Object.keys(bmf), ['event-loop:hello:16']);
    const rps = bmf['event-loop:hello:16']!.requests_per_second!;
    const stat = results.cells[0]!.summary!.requestsPerSec;
    assert.deepEqual(rps, { value: stat.median, lower_value: stat.min, upper_value: stat.max });
    const { bigger, smaller } = runBenchmarkAction(results);
    assert.deepEqual(
      bigger.map((e) => `${e.name} ${e.unit}`),
      ['event-loop:hello:16 requests/s req/s'],
    );
    assert.deepEqual(
      smaller.map((e) => e.unit),
      ['µs', 'µs'],
    );
  });

  it('the command writes every format asked for, and refuses a folder as a file with one line', () => {
    const file = join(work, 'run.json');
    writeResults(file, results);
    const r = exportCmd([
      file,
      '--csv',
      join(work, 'c.csv'),
      '--bmf',
      join(work, 'b.json'),
      '--benchmark-action',
      join(work, 'gab'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    for (const name of ['c.csv', 'b.json', 'gab-bigger.json', 'gab-smaller.json'])
      assert.ok(existsSync(join(work, name)), name);
    assert.equal(readFileSync(join(work, 'c.csv'), 'utf8'), cellsCsv(results));
    const stdout = exportCmd([file, '--csv', '-']);
    assert.equal(stdout.stdout, cellsCsv(results));

    const before = readdirSync(work).sort();
    const bad = exportCmd([file, '--bmf', work, '--csv', join(work, 'never.csv')]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^export: cannot write --bmf file .*: it is a folder; give a file name\n$/);
    assert.deepEqual(readdirSync(work).sort(), before, 'nothing written');
    const none = exportCmd([file]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^export: nothing to export/);
    const missing = exportCmd([join(work, 'missing.json'), '--csv', '-']);
    assert.match(missing.stderr, /^export: cannot read .*missing\.json: no such file\n$/);
  });
});

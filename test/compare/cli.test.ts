import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Results } from '../../bench/results/schema.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

const cells = [
  { model: 'event-loop', scenario: 'hello', connections: 16, rps: 20000, p99Us: 3000, trials: 5 },
  { model: 'worker-pool', scenario: 'hello', connections: 16, rps: 12000, p99Us: 5000, trials: 5 },
];

function slower(results: Results, model: string, factor: number): Results {
  const copy = structuredClone(results);
  for (const cell of copy.cells) {
    if (cell.model !== model) continue;
    for (const t of cell.trials) {
      t.requestsPerSec *= factor;
      t.requests = Math.round(t.requests * factor);
      t.latencyUs.p99 /= factor;
    }
  }
  return copy;
}

let dir = '';
const file = (name: string) => join(dir, name);

function compare(...args: string[]) {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/compare.ts', ...args], { encoding: 'utf8' });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'compare-'));
  const base = syntheticResults(cells);
  writeFileSync(file('base.json'), JSON.stringify(base));
  writeFileSync(file('slow.json'), JSON.stringify(slower(base, 'worker-pool', 0.7)));
  // The whole machine 15% slower (calibration too): absolute says regressed, normalised does not.
  const drift = slower(slower(base, 'worker-pool', 0.85), 'event-loop', 0.85);
  drift.calibration = drift.calibration.map((c) => ({ ...c, requestsPerSec: c.requestsPerSec * 0.85 }));
  writeFileSync(file('drift.json'), JSON.stringify(drift));
  const few = syntheticResults(cells.map((c) => ({ ...c, trials: 2 })));
  writeFileSync(file('few.json'), JSON.stringify(few));
  writeFileSync(file('few-slow.json'), JSON.stringify(slower(few, 'event-loop', 0.7)));
  const moved = syntheticResults(
    [...cells.slice(0, 1), { model: 'blocking', scenario: 'hello', connections: 16, rps: 8000, trials: 5 }],
    {
      machine: { ...base.machine, cpuModel: 'Other CPU' },
    },
  );
  writeFileSync(file('moved.json'), JSON.stringify(moved));
  writeFileSync(file('v2.json'), JSON.stringify({ ...base, version: 2 }));
  writeFileSync(file('broken.json'), '{"schema": "server-models/results", ');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run compare (end to end)', () => {
  it('a run against itself: unchanged, exit 0', () => {
    const r = compare(file('base.json'), file('base.json'));
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /no regression — 0 regressed, 0 improved, 8 unchanged/);
  });

  it('30% slower worker-pool: regressed, exit 1, names the cell', () => {
    const r = compare(
      file('base.json'),
      file('slow.json'),
      '--json',
      file('out.json'),
      '--markdown',
      file('out.md'),
      '--benchmark-action',
      file('ba'),
    );
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /REGRESSION in 1 cell\(s\): worker-pool:hello:16/);
    const json = JSON.parse(readFileSync(file('out.json'), 'utf8'));
    const rps = json.cells
      .find((c: { key: string }) => c.key === 'worker-pool:hello:16')
      .rows.find((r: { metric: string }) => r.metric === 'rps');
    assert.equal(rps.verdict, 'regressed');
    assert.ok(Math.abs(rps.change + 0.3) < 0.01);
    assert.equal(json.regressed, true);
    const md = readFileSync(file('out.md'), 'utf8');
    assert.match(md, /❌ regression/);
    assert.match(md, /\| worker-pool:hello:16 \| requests\/s \|/);
    const bigger = JSON.parse(readFileSync(file('ba-bigger.json'), 'utf8'));
    const smaller = JSON.parse(readFileSync(file('ba-smaller.json'), 'utf8'));
    assert.equal(bigger.length, 2);
    assert.equal(smaller.length, 6);
    for (const e of [...bigger, ...smaller]) {
      assert.equal(typeof e.name, 'string');
      assert.equal(typeof e.unit, 'string');
      assert.equal(typeof e.value, 'number');
    }
    assert.ok(bigger.every((e: { name: string }) => e.name.endsWith('requests/s')));
  });

  it('a machine 15% slower across the board: absolute regresses, normalised does not, both (default) does not', () => {
    assert.equal(compare(file('base.json'), file('drift.json'), '--mode', 'absolute').code, 1);
    const normalised = compare(file('base.json'), file('drift.json'), '--mode', 'normalised');
    assert.equal(normalised.code, 0, normalised.out);
    assert.match(normalised.out, /calibration ceiling/);
    const both = compare(file('base.json'), file('drift.json'));
    assert.equal(both.code, 0, both.out);
    // The prose is wrapped to the terminal (80 columns here): read it with its line breaks as spaces.
    assert.match(
      both.out.replace(/\s+/g, ' '),
      / mode: both — absolute figures shown; a change is called only when the comparison normalised by/,
    );
    assert.ok(
      both.out.split('\n').every((l) => l.length <= 80),
      'fits 80 columns',
    );
    // The two disagree on the slowed cells: not established, and the row says what each said (the cell's
    // name on its line, its metrics under it, each figure with its unit).
    assert.match(
      both.out,
      /^worker-pool:hello:16\n +requests\/s +[\d,]+ req\/s +[\d,]+ req\/s [^\n]*\n?[^\n]*\? inconclusive \(absolute ✗, normalised [+-]\d+\.\d% =\)/m,
    );
  });

  it('both: a model 30% slower is a regression in both comparisons, so in the default', () => {
    const r = compare(file('base.json'), file('slow.json'), '--json', file('both.json'));
    assert.equal(r.code, 1, r.out);
    const rps = JSON.parse(readFileSync(file('both.json'), 'utf8'))
      .cells.find((c: { key: string }) => c.key === 'worker-pool:hello:16')
      .rows.find((x: { metric: string }) => x.metric === 'rps');
    assert.deepEqual(
      [rps.verdict, rps.agreement.absolute, rps.agreement.normalised],
      ['regressed', 'regressed', 'regressed'],
    );
  });

  it('normalised by a reference cell', () => {
    const r = compare(file('base.json'), file('slow.json'), '--reference', 'event-loop:hello:16');
    assert.equal(r.code, 1);
    assert.match(r.out, /reference cell event-loop:hello:16/);
    const missing = compare(file('base.json'), file('slow.json'), '--reference', 'nginx:hello:1');
    assert.equal(missing.code, 2);
    assert.match(missing.err, /^compare: .*no measured reference cell nginx:hello:1\n$/);
  });

  it('fewer than 3 trials: a change past the threshold is inconclusive, never a regression, and the output says so', () => {
    const r = compare(file('few.json'), file('few-slow.json'));
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /fewer than 3 trials a side/);
    assert.match(r.out, /threshold only/);
    assert.match(r.out, /\? inconclusive/);
    assert.doesNotMatch(r.out, /REGRESSED/);
  });

  it('runs whose cell sets differ are not judged (exit 2) unless --force', () => {
    const r = compare(file('base.json'), file('moved.json'));
    assert.equal(r.code, 2);
    assert.match(
      r.err,
      /^compare: the runs are not the same measurement: cells only in the current run: blocking:hello:16 .*--force/,
    );
  });

  it('machine differences warn loudly; with --force added and removed cells are listed', () => {
    const r = compare(file('base.json'), file('moved.json'), '--force');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^WARNING: machine differs: cpuModel/m);
    assert.match(r.out, /added \(only in current\): blocking:hello:16/);
    assert.match(r.out, /removed \(only in baseline\): worker-pool:hello:16/);
  });

  it('bad input: one-line errors, exit 2', () => {
    const cases: [string[], RegExp][] = [
      [[file('base.json'), file('v2.json')], /results version 2/],
      [[file('base.json'), file('broken.json')], /is not JSON/],
      [[file('base.json'), file('nope.json')], /cannot read/],
      [[file('base.json')], /expected two results files/],
      [[file('base.json'), file('base.json'), '--threshold', 'ten'], /--threshold/],
      [[file('base.json'), file('base.json'), '--mode', 'relative'], /--mode/],
      [[file('base.json'), file('base.json'), '--reference', 'x:y'], /--reference/],
      [[file('base.json'), file('base.json'), '--bogus'], /bogus/],
    ];
    for (const [args, message] of cases) {
      const r = compare(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
  });
});

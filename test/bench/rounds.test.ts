/**
 * `--rounds`: the calibration and the whole matrix run again each round, every
 * server is started afresh, and a cell's trials accumulate across rounds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mergeRounds } from '../../bench/run/cell.ts';
import { defaultThresholds } from '../../bench/run/verdicts.ts';
import { OpenLoopLoadGenerator } from '../../bench/loadgen/open-loop.ts';
import { parseOptions, UsageError } from '../../bench/plan/options.ts';
import { plannedSeconds, profiles } from '../../bench/plan/profiles.ts';
import { readResults } from '../../bench/results/file.ts';
import type { Cell } from '../../bench/results/schema.ts';
import { emptyResults, planCells, runPlan } from '../../bench/run/run.ts';
import { findScenario } from '../../bench/plan/scenarios.ts';
import type { ScenarioDef } from '../../bench/plan/scenarios.ts';
import { cannedTarget } from '../../bench/targets/canned.ts';
import type { Target } from '../../bench/targets/types.ts';
import { syntheticResults, syntheticTrial } from '../helpers/synthetic-results.ts';

describe('--rounds', () => {
  it("is parsed, defaults to the profile's, and scales the wall-time plan", () => {
    assert.equal(parseOptions([]).rounds, profiles.quick?.rounds);
    assert.equal(parseOptions(['--profile', 'smoke']).rounds, 1);
    assert.equal(parseOptions(['--profile', 'ci']).rounds, profiles.ci?.rounds);
    assert.equal(parseOptions(['--rounds', '4']).rounds, 4);
    assert.throws(() => parseOptions(['--rounds', '0']), UsageError);
    assert.throws(() => parseOptions(['--rounds', 'x']), UsageError);
    const once = plannedSeconds(10, { durationSec: 1, warmupSec: 0, trials: 1, rounds: 1 }, 1);
    const thrice = plannedSeconds(10, { durationSec: 1, warmupSec: 0, trials: 1, rounds: 3 }, 1);
    assert.ok(Math.abs(thrice - 2 - 3 * (once - 2)) < 1e-9);
  });
});

describe('a run of three rounds', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rounds-run-'));
  let generator: OpenLoopLoadGenerator;
  before(async () => {
    generator = await OpenLoopLoadGenerator.start({ cpus: null });
  });
  after(async () => {
    await generator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("restarts each server every round, calibrates every round and joins each cell's trials", async () => {
    const hello = findScenario('hello') as ScenarioDef;
    const launch = { cpus: null, readyTimeoutMs: 15_000, stopGraceMs: 3000 };
    const starts = { a: 0, b: 0 };
    const counted = (name: 'a' | 'b'): Target => {
      const canned = cannedTarget(launch);
      return {
        name,
        kind: 'peer',
        start: () => {
          starts[name]++;
          return canned.start();
        },
      };
    };
    const outPath = join(dir, 'results.json');
    const order: string[] = [];
    const plan = {
      runId: 'rounds-test',
      outPath,
      config: {
        profile: 'test',
        models: ['a', 'b'],
        scenarios: ['hello'],
        connections: [2],
        durationSec: 0.3,
        warmupSec: 0,
        trials: 2,
        rounds: 3,
        loadgen: generator.name,
        serverCpus: null,
        clientCpus: null,
      },
      cells: planCells([counted('a'), counted('b')], [hello], [2]),
      rounds: 3,
      scenarios: [hello],
      loadgen: generator,
      canned: cannedTarget(launch),
      calibration: { connections: 2, durationSec: 0.3, warmupSec: 0, timeoutSec: 2 },
      settings: {
        durationSec: 0.3,
        warmupSec: 0,
        trials: 2,
        timeoutSec: 2,
        validationTimeoutMs: 5000,
        sampleIntervalMs: 50,
        thresholds: defaultThresholds,
      },
    };
    await runPlan(plan, emptyResults(plan), {
      onCellDone: (index, cell, round) => order.push(`${index}:${cell.model}:${round}:${cell.trials.length}`),
    });
    // Interleaved: a, b in round 1, then a, b again; each cell's trials grow by two a round.
    assert.deepEqual(order, ['0:a:1:2', '1:b:1:2', '2:a:2:4', '3:b:2:4', '4:a:3:6', '5:b:3:6']);
    assert.deepEqual(starts, { a: 3, b: 3 });
    const results = readResults(outPath);
    assert.equal(results.complete, true);
    assert.deepEqual(
      results.calibration.map((c) => c.round),
      [1, 2, 3],
    );
    assert.equal(results.cells.length, 2);
    for (const cell of results.cells) {
      assert.equal(cell.status, 'ok', cell.error);
      assert.deepEqual(
        cell.trials.map((t) => t.round),
        [1, 1, 2, 2, 3, 3],
      );
      assert.ok(cell.trials.every((t) => t.requests > 0));
    }
  });
});

describe('mergeRounds', () => {
  const [cell] = syntheticResults([{ model: 'event-loop', scenario: 'hello', connections: 16, rps: 10_000, trials: 2 }])
    .cells as [Cell];
  const roundTwo = (extra: Partial<Cell> = {}): Cell => ({
    ...cell,
    trials: [syntheticTrial(5000, 900, 7, { round: 2 })],
    ...extra,
  });

  it('keeps every trial and works the summary out over all of them', () => {
    const merged = mergeRounds(cell, roundTwo(), 2, null, defaultThresholds);
    assert.equal(merged.trials.length, 3);
    assert.equal(merged.summary?.requestsPerSec.min, 5000);
    assert.equal(merged.status, 'ok');
  });

  it('fails the cell when a later round failed, naming the round', () => {
    const merged = mergeRounds(
      cell,
      roundTwo({ status: 'failed', error: 'did not start: boom', trials: [] }),
      2,
      null,
      defaultThresholds,
    );
    assert.equal(merged.status, 'failed');
    assert.equal(merged.error, 'round 2: did not start: boom');
    // A cell that failed stays failed with its first reason.
    assert.equal(mergeRounds(merged, roundTwo(), 3, null, defaultThresholds).error, 'round 2: did not start: boom');
  });

  it('keeps notes the flags do not derive, once', () => {
    const note = 'autocannon: 3 sockets reset';
    const a = { ...cell, flags: { ...cell.flags, notes: [note] } };
    const merged = mergeRounds(a, roundTwo({ flags: { ...cell.flags, notes: [note] } }), 2, null, defaultThresholds);
    assert.deepEqual(
      merged.flags.notes.filter((n) => n === note),
      [note],
    );
  });
});

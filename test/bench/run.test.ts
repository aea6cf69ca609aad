/**
 * End to end: the real `npm run bench` command (scripts/bench.ts) against the real
 * serve command for every model. The smoke profile must produce a results file
 * that passes schema validation with every model present, no failed cell and
 * every answer checked; Ctrl-C must keep finished cells and leave no process.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { readResults } from '../../bench/results/file.ts';
import { listModels } from '../../bench/plan/servers.ts';
import { profiles } from '../../bench/plan/profiles.ts';
import { scenarioCosts } from '../../bench/plan/scenarios.ts';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the bench command with a marker in its environment, which every process it starts inherits. */
function bench(
  args: string[],
  marker: string,
  onStderr?: (text: string, child: ReturnType<typeof spawn>) => void,
): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', ...args], {
      env: { ...process.env, BENCH_TEST_MARKER: marker },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 150_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** PIDs of live processes carrying the marker: anything the run started and left behind. */
function processesWithMarker(marker: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').includes(`BENCH_TEST_MARKER=${marker}`)) {
        const state = readFileSync(`/proc/${name}/stat`, 'latin1').split(') ')[1]?.[0];
        if (state !== 'Z') found.push(Number(name));
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

describe('npm run bench', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'server-models-bench-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the smoke profile for every model and writes a valid, complete results file', async () => {
    const marker = randomUUID();
    const out = join(dir, 'smoke.json');
    const run = await bench(['--profile', 'smoke', '--out', out, '--json'], marker);
    assert.equal(run.code, 0, `exit ${run.code}\n${run.stderr.slice(-3000)}`);
    const printed = JSON.parse(run.stdout.split('\n').find((l) => l.startsWith('{')) ?? '{}') as {
      resultsPath?: string;
    };
    assert.equal(printed.resultsPath, out);
    const results = readResults(out); // schema-validated
    assert.equal(results.complete, true);
    assert.equal(results.config.profile, 'smoke');
    assert.ok(results.calibration.length >= 1 && results.calibration.every((c) => c.requestsPerSec > 0));
    const models = (await listModels()).filter((m) => !m.unavailable).map((m) => m.name);
    const smoke = profiles.smoke!;
    for (const model of models) {
      for (const scenario of smoke.scenarios) {
        const cell = results.cells.find((c) => c.model === model && c.scenario === scenario);
        assert.ok(cell, `no cell for ${model} × ${scenario}`);
        assert.equal(cell.status, 'ok', `${model} × ${scenario}: ${cell.error}`);
        assert.ok(cell.validation.ok && cell.validation.checked > 0, `${model} × ${scenario} was not checked`);
        assert.equal(cell.flags.errored, false, `${model} × ${scenario}: ${cell.flags.notes.join('; ')}`);
        assert.equal(cell.trials.length, smoke.trials);
        assert.ok(
          cell.trials.every(
            (t) => t.requests > 0 && t.serverCpuSec > 0 && t.serverPeakRssBytes > 0 && t.loadgenCpuSec > 0,
          ),
        );
        if (scenario === 'mixed') {
          // autocannon cycles the scenario's request list per connection, so an expensive request is
          // sent only once some connection has made `mixedEvery` requests (a slow model may not get there).
          const trial = cell.trials[0]!;
          assert.ok(trial.groups?.cheap, 'mixed reports the cheap requests apart');
          if (trial.requests >= cell.connections * scenarioCosts.mixedEvery)
            assert.ok(trial.groups.expensive, 'mixed reports the expensive requests apart');
        }
      }
    }
    assert.deepEqual(processesWithMarker(marker), []);
  });

  it('keeps finished cells on Ctrl-C, stops everything it started and exits non-zero', async () => {
    const marker = randomUUID();
    const out = join(dir, 'interrupted.json');
    const [model] = (await listModels()).filter((m) => !m.unavailable && m.kind === 'model').map((m) => m.name);
    assert.ok(model);
    let sent = false;
    const run = await bench(
      [
        '--models',
        model,
        '--scenarios',
        'hello',
        '--connections',
        '1,2,3,4,5,6',
        '--duration',
        '1',
        '--warmup',
        '0',
        '--trials',
        '1',
        '--out',
        out,
      ],
      marker,
      (stderr, child) => {
        // After the first finished cell, interrupt in the middle of the next one.
        if (!sent && /✓|✗/.test(stderr)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    );
    assert.ok(sent, `no cell finished:\n${run.stderr.slice(-2000)}`);
    assert.equal(run.code, 130, run.stderr.slice(-2000));
    const results = readResults(out);
    assert.equal(results.complete, false);
    assert.ok(results.cells.length >= 1 && results.cells.length < 6, `${results.cells.length} cells`);
    assert.match(run.stderr, /interrupted/);
    assert.deepEqual(processesWithMarker(marker), []);
  });
});

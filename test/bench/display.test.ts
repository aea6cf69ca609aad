import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cellLine, cellMarks, formatUs, outputWidth, peerRatioLines, resultsTable } from '../../bench/run/display.ts';
import { fitHelp } from '../../bench/results/text.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

describe('terminal output', () => {
  const results = syntheticResults([
    { model: 'event-loop', scenario: 'hello', connections: 16, rps: 30_000, p99Us: 2500, clientBound: true, noise: 0 },
    { model: 'node-http', kind: 'peer', scenario: 'hello', connections: 16, rps: 25_000, p99Us: 3000, noise: 0 },
    { model: 'blocking', scenario: 'hello', connections: 16, rps: 8000, errors: 3, noise: 0 },
    { model: 'worker-pool', scenario: 'hello', connections: 16, rps: 0, status: 'failed' },
  ]);

  it('shows every model of every row with its median figures and flags', () => {
    const table = resultsTable(results, 200);
    for (const model of ['event-loop', 'node-http', 'blocking', 'worker-pool']) assert.match(table, new RegExp(model));
    const row = table.split('\n').find((l) => l.startsWith('hello')) ?? '';
    assert.match(row, /30\.0k\/s ±0% 2\.5 ms C/);
    assert.match(row, /25\.0k\/s ±0% 3\.0 ms/);
    assert.match(row, /8000\/s ±0% 2\.0 ms E/);
    assert.match(row, /F/);
    assert.match(table, /C = client-bound/);
  });

  it('says in words that a cell answered nothing, never a bare 0.0', () => {
    const silent = syntheticResults([
      { model: 'process-per-request', scenario: 'hello', connections: 64, rps: 0, p99Us: 0, starved: true, noise: 0 },
    ]);
    assert.match(resultsTable(silent), /no answer W/);
    assert.doesNotMatch(resultsTable(silent), /0\.0 /);
    assert.match(cellLine(silent.cells[0]!), /answered no request in any trial/);
  });

  it('says why a cell failed on its line', () => {
    const failed = results.cells.find((c) => c.model === 'worker-pool')!;
    assert.equal(cellMarks(failed), 'F');
    assert.match(cellLine(failed), /failed: synthetic failure/);
  });

  it('gives the event-loop / node-http ratio and says when it is client-bound', () => {
    const [line] = peerRatioLines(results);
    assert.match(line ?? '', /event-loop \/ node-http on hello c=16: 1\.20 .*client-bound/);
  });

  it('formats latency in the unit that reads best', () => {
    assert.equal(formatUs(850), '850 µs');
    assert.equal(formatUs(2500), '2.5 ms');
    assert.equal(formatUs(2_500_000), '2.50 s');
  });

  const models = ['blocking', 'process-per-request', 'event-loop', 'worker-pool', 'prefork', 'reuseport', 'node-http'];
  const wide = syntheticResults(
    models.flatMap((model, i) =>
      ['static-large', 'mixed'].map((scenario) => ({
        model,
        scenario,
        connections: 256,
        rps: 12_345 * (i + 1),
        p99Us: 123_456,
        clientBound: true,
        errors: 1,
        starved: model === 'blocking',
        ...(scenario === 'mixed' ? { groups: { cheap: 1000, expensive: 9000 } } : {}),
      })),
    ),
  );
  const longest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));

  it('fits the closing table to 80 columns by splitting the models over several tables, one when wider', () => {
    const narrow = resultsTable(wide, 80);
    assert.ok(longest(narrow) <= 80, narrow);
    for (const model of models) assert.ok(narrow.includes(model), model);
    assert.ok(narrow.split('\n').filter((l) => l.startsWith('scenario')).length > 1, 'split into several tables');
    const roomy = resultsTable(wide, 240);
    assert.equal(roomy.split('\n').filter((l) => l.startsWith('scenario')).length, 1);
    assert.ok(longest(roomy) <= 240);
  });

  it('keeps every figure and flag of a cell line at 80 columns, flags first, on more lines when needed', () => {
    for (const cell of wide.cells) {
      const text = cellLine(cell, 80, ' (round 2/5)');
      assert.ok(longest(text) <= 80, text);
      assert.match(text, /^✓ CEW? +\S/);
      for (const part of ['req/s', 'p99', 'ms/kreq', 'MiB', 'loadgen'])
        assert.ok(text.includes(part), `${part} in ${text}`);
      if (cell.scenario === 'mixed') assert.match(text, /expensive p99 (8|9)\.\d ms/);
      assert.equal(cellLine(cell, 200, ' (round 2/5)').split('\n').length, 1, 'one line on a wide terminal');
    }
  });

  it('prints — where a latency does not exist, never 0 µs', () => {
    const starved = syntheticResults([
      { model: 'blocking', scenario: 'io', connections: 64, rps: 50, p99Us: 0, starved: true },
    ]);
    assert.match(cellLine(starved.cells[0]!), /p99 +—/);
    assert.match(resultsTable(starved), /\d+\.\d\/s ±\d+% — W/);
    assert.doesNotMatch(resultsTable(starved) + cellLine(starved.cells[0]!), /0 µs/);
  });

  it("takes the terminal's width, else $COLUMNS, else 80", () => {
    assert.equal(outputWidth({ isTTY: true, columns: 132 }), 132);
    const saved = process.env.COLUMNS;
    delete process.env.COLUMNS;
    assert.equal(outputWidth({ isTTY: false }), 80);
    process.env.COLUMNS = '100';
    assert.equal(outputWidth({ isTTY: false }), 100);
    if (saved === undefined) delete process.env.COLUMNS;
    else process.env.COLUMNS = saved;
  });

  it('wraps a help text with each description kept in its column', () => {
    const help = `  --flag VALUE  ${'word '.repeat(30).trim()}\n                continued ${'more '.repeat(20).trim()}`;
    const fitted = fitHelp(help, 60).split('\n');
    assert.ok(fitted.every((l) => l.length <= 60));
    assert.ok(fitted.slice(1).every((l) => l.startsWith(' '.repeat(16)) && l[16] !== ' '));
    assert.equal(fitHelp(help, 400), help);
  });

  for (const script of ['bench', 'compare', 'export']) {
    it(`${script} --help fits 80 columns where the terminal is not wider`, () => {
      const env = { ...process.env };
      delete env.COLUMNS;
      const r = spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, '--help'], {
        encoding: 'utf8',
        env,
      });
      assert.equal(r.status, 0, r.stderr);
      const wide = r.stdout.split('\n').filter((l) => l.length > 80);
      assert.deepEqual(wide, []);
      assert.match(r.stdout, /--/);
    });
  }
});

/**
 * The open-vs-closed chart on synthetic results with known answers: drawn from
 * a file with both load modes (one line per model, in its colour, at the cheap
 * group's figures), skipped cleanly from a file with one; and open-loop cells
 * kept out of the charts and findings that read requests/s as capacity.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { writeResults } from '../../bench/results/file.ts';
import type { Cell, Results } from '../../bench/results/schema.ts';
import { chartsFor } from '../../reports/charts/index.ts';
import { openVsClosedChart } from '../../reports/charts/open-vs-closed.ts';
import { cellRows } from '../../reports/charts/rows.ts';
import { isMeasured } from '../../reports/findings/cells.ts';
import { colourScale } from '../../reports/palette.ts';
import { renderReport } from '../../reports/render.ts';
import { specToSvg } from '../../reports/render-svg.ts';
import { syntheticCell, syntheticResults } from '../helpers/synthetic-results.ts';

const dir = mkdtempSync(join(tmpdir(), 'open-vs-closed-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const models = ['blocking', 'event-loop', 'worker-pool'];
/** Cheap p99 (µs) closed and open loop: the open loop sees the stalls the closed loop waits out. */
const cheapP99 = { closed: [40_000, 9_000, 3_000], open: [900_000, 60_000, 5_000] };

function mixedCell(model: string, mode: 'closed' | 'open', seed: number): Cell {
  const i = models.indexOf(model);
  const cell = syntheticCell(
    {
      model,
      scenario: 'mixed',
      connections: 16,
      rps: 1000 * (i + 1),
      trials: 1,
      noise: 0,
      groups: { cheap: cheapP99[mode][i] as number, expensive: 50_000 },
    },
    seed,
  );
  if (mode === 'closed') return { ...cell, loadMode: 'closed' };
  return {
    ...cell,
    loadMode: 'open',
    rate: { requested: '70%', targetRps: 700 * (i + 1), achievedRps: cell.summary?.requestsPerSec.median ?? 0 },
  };
}

function results(cells: Cell[]): Results {
  return { ...syntheticResults([{ model: 'event-loop', scenario: 'hello', connections: 16, rps: 9000 }]), cells };
}

const both = results([
  ...models.map((m, i) => mixedCell(m, 'closed', i + 1)),
  ...models.map((m, i) => mixedCell(m, 'open', i + 10)),
]);
const closedOnly = results(models.map((m, i) => mixedCell(m, 'closed', i + 1)));
const openOnly = results(models.map((m, i) => mixedCell(m, 'open', i + 10)));

describe('open-vs-closed chart', () => {
  it("plots each model closed and open, at the cheap group's median p50 and p99", () => {
    const values = (
      openVsClosedChart(both).data as { values: { model: string; load: string; pct: string; ms: number }[] }
    ).values;
    assert.equal(values.length, models.length * 2 * 2);
    for (const [i, model] of models.entries()) {
      for (const mode of ['closed', 'open'] as const) {
        const p99 = values.find(
          (v) => v.model === model && v.pct === 'p99' && v.load === (mode === 'open' ? 'open 70%' : 'closed'),
        );
        assert.equal(p99?.ms, (cheapP99[mode][i] as number) / 1000, `${model} ${mode}`);
      }
    }
  });

  it('renders one coloured line per model', async () => {
    const svg = await specToSvg(openVsClosedChart(both));
    const { domain, range } = colourScale(both.cells);
    assert.deepEqual(domain, models);
    for (const colour of range)
      assert.match(svg.replace(/<g class="mark-group role-legend[\s\S]*$/, ''), new RegExp(`stroke="${colour}"`));
  });

  it('is drawn only from a file with both modes', () => {
    assert.ok(chartsFor(both).some((c) => c.name === 'open-vs-closed'));
    for (const one of [
      closedOnly,
      openOnly,
      results([mixedCell('blocking', 'closed', 1), mixedCell('event-loop', 'open', 2)]),
    ]) {
      assert.ok(!chartsFor(one).some((c) => c.name === 'open-vs-closed'));
    }
  });

  it('npm run report writes it for both modes and skips it, without a dangling link, for one', async () => {
    for (const [name, file, drawn] of [
      ['both', both, true],
      ['closed', closedOnly, false],
    ] as const) {
      const path = join(dir, `${name}.json`);
      writeResults(path, file);
      const out = await renderReport(path, join(dir, name));
      assert.equal(existsSync(join(out.chartsDir, 'open-vs-closed.png')), drawn, name);
      assert.equal(readFileSync(out.markdown, 'utf8').includes('charts/open-vs-closed.png'), drawn, name);
    }
  });
});

describe('open-loop cells elsewhere', () => {
  it('stay out of the capacity charts and the findings: their requests/s is the rate offered', () => {
    assert.equal(cellRows(both).length, models.length);
    assert.ok(
      cellRows(both).every(
        (r) =>
          r.rps ===
          both.cells.find((c) => c.model === r.model && c.loadMode === 'closed')?.summary?.requestsPerSec.median,
      ),
    );
    assert.deepEqual(both.cells.map(isMeasured), [true, true, true, false, false, false]);
  });
});

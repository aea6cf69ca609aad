import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { latencyChart } from '../../reports/charts/latency.ts';
import { spectrumChart } from '../../reports/charts/spectrum.ts';
import { specToSvg } from '../../reports/render-svg.ts';
import { syntheticResults } from '../helpers/synthetic-results.ts';

// process-per-request at 32 connections in a short trial answers nothing: its latency
// figures are zeros. On a log scale one zero used to blank every panel of the chart.
const results = syntheticResults([
  { model: 'event-loop', scenario: 'hello', connections: 1, rps: 9000, p99Us: 500, noise: 0 },
  { model: 'event-loop', scenario: 'hello', connections: 32, rps: 26000, p99Us: 7000, noise: 0 },
  { model: 'process-per-request', scenario: 'hello', connections: 1, rps: 20, p99Us: 100_000, noise: 0 },
  { model: 'process-per-request', scenario: 'hello', connections: 32, rps: 0, p99Us: 0, starved: true, noise: 0 },
]);

type Row = { ms: number; lo?: number; hi?: number };
const values = (spec: Record<string, unknown>): Row[] => (spec.data as { values: Row[] }).values;
const axisLabels = (svg: string): string[] =>
  [...svg.matchAll(/role-axis-label[\s\S]*?<\/g><\/g>/g)].flatMap((m) =>
    [...m[0].matchAll(/>([^<>]+)<\/text>/g)].map((t) => t[1] as string),
  );

describe('charts on log scales', () => {
  it('latency: a cell that answered nothing is left out, not plotted at zero', async () => {
    const spec = latencyChart(results);
    const rows = values(spec);
    assert.ok(rows.length === 6, `three answering cells × p50/p99, got ${rows.length}`);
    assert.ok(
      rows.every((r) => r.ms > 0 && (r.lo ?? 1) > 0),
      'every plotted value is positive',
    );
    const labels = axisLabels(await specToSvg(spec));
    // Both axes have ticks: the y axis's latency labels are there (it had none with a zero in its domain).
    assert.ok(
      labels.some((l) => /^\d/.test(l) && !['1', '2', '4', '8', '16', '32'].includes(l)),
      `y-axis labels: ${labels.join(', ')}`,
    );
  });

  it('spectrum: zero latencies are left out', () => {
    assert.ok(values(spectrumChart(results, 32)).every((r) => r.ms > 0));
  });
});

/** Latency vs connections: p50 (dashed) and p99 (solid) per model, log scales, a panel per scenario. */
import type { Results } from '../../bench/results/schema.ts';
import { modelColour } from '../palette.ts';
import { cellRows, flaggedPoint } from './rows.ts';

export function latencyChart(results: Results): Record<string, unknown> {
  // A cell that answered nothing has no latency (its zeros are not fast answers) and a zero
  // has no place on a log scale: one such point blanked every panel. Its triangle is on the
  // throughput chart; here it is left out, and so is a zero end of a trial range.
  const positive = (ms: number, fallback: number): number => (ms > 0 ? ms : fallback);
  const rows = cellRows(results)
    .flatMap((r) => [
      { ...r, pct: 'p50', ms: r.p50Ms, lo: positive(r.p50MinMs, r.p50Ms), hi: r.p50MaxMs },
      { ...r, pct: 'p99', ms: r.p99Ms, lo: positive(r.p99MinMs, r.p99Ms), hi: r.p99MaxMs },
    ])
    .filter((row) => row.ms > 0);
  const colour = modelColour(results.cells);
  const x = { field: 'connections', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'connections (log)' };
  const y = { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency ms (log)' };
  const dash = {
    field: 'pct',
    type: 'nominal',
    title: 'percentile',
    scale: {
      domain: ['p50', 'p99'],
      range: [
        [4, 3],
        [1, 0],
      ],
    },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Latency vs connections (p50 dashed, p99 solid)',
    data: { values: rows },
    facet: { field: 'scenario', type: 'nominal', title: null },
    columns: 3,
    spec: {
      width: 220,
      height: 160,
      layer: [
        {
          mark: { type: 'rule', opacity: 0.5 },
          encoding: {
            x,
            y: { field: 'lo', type: 'quantitative', scale: { type: 'log' } },
            y2: { field: 'hi' },
            color: colour,
          },
        },
        { mark: 'line', encoding: { x, y, color: colour, strokeDash: dash, detail: { field: 'pct' } } },
        {
          mark: { type: 'point', size: 40, filled: true },
          encoding: {
            x,
            y,
            ...flaggedPoint(colour),
            tooltip: [
              { field: 'label' },
              { field: 'scenario' },
              { field: 'connections' },
              { field: 'pct' },
              { field: 'ms', format: ',.2f', title: 'ms (median)' },
              { field: 'lo', format: ',.2f', title: 'min' },
              { field: 'hi', format: ',.2f', title: 'max' },
              { field: 'mark', title: 'cell' },
              { field: 'notes' },
            ],
          },
        },
      ],
    },
  };
}

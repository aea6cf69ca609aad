/** Latency vs connections: p50 (dashed) and p99 (solid) per model, log scales, a panel per scenario. */
import type { Results } from '../../bench/results/schema.ts';
import { colourScale } from '../palette.ts';
import { cellRows, flagShape } from './rows.ts';

export function latencyChart(results: Results): Record<string, unknown> {
  const rows = cellRows(results).flatMap((r) => [
    { ...r, pct: 'p50', ms: r.p50Ms, lo: r.p50MinMs, hi: r.p50MaxMs },
    { ...r, pct: 'p99', ms: r.p99Ms, lo: r.p99MinMs, hi: r.p99MaxMs },
  ]);
  const colour = { field: 'model', type: 'nominal', title: 'model', scale: colourScale(results.cells) };
  const x = { field: 'connections', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'connections (log)' };
  const y = { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency ms (log)' };
  const dash = { field: 'pct', type: 'nominal', title: 'percentile', scale: { domain: ['p50', 'p99'], range: [[4, 3], [1, 0]] } };
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
        { mark: { type: 'rule', opacity: 0.5 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { type: 'log' } }, y2: { field: 'hi' }, color: colour } },
        { mark: 'line', encoding: { x, y, color: colour, strokeDash: dash, detail: { field: 'pct' } } },
        {
          mark: { type: 'point', size: 40, filled: true },
          encoding: {
            x, y, color: colour, stroke: colour, shape: flagShape, // hollow flagged points keep their outline
            fillOpacity: { condition: { test: "datum.mark === 'ok'", value: 1 }, value: 0 },
            tooltip: [{ field: 'label' }, { field: 'scenario' }, { field: 'connections' }, { field: 'pct' }, { field: 'ms', format: ',.2f', title: 'ms (median)' }, { field: 'lo', format: ',.2f', title: 'min' }, { field: 'hi', format: ',.2f', title: 'max' }, { field: 'mark', title: 'cell' }, { field: 'notes' }],
          },
        },
      ],
    },
  };
}

/** Throughput vs connections: a line per model, a panel per scenario, log connections, min–max band over trials. */
import type { Results } from '../../bench/results/schema.ts';
import { modelColour } from '../palette.ts';
import { cellRows, facetByScenario, flaggedPoint, peerDash } from './rows.ts';

export function throughputChart(results: Results): Record<string, unknown> {
  const colour = modelColour(results.cells);
  const x = { field: 'connections', type: 'quantitative', scale: { type: 'log', base: 2 }, title: 'connections (log)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Throughput vs connections',
    data: { values: cellRows(results) },
    ...facetByScenario,
    spec: {
      width: 220,
      height: 160,
      layer: [
        {
          mark: { type: 'errorband', opacity: 0.2 },
          encoding: {
            x,
            y: { field: 'rpsMin', type: 'quantitative', title: 'requests/s' },
            y2: { field: 'rpsMax' },
            color: colour,
          },
        },
        {
          mark: { type: 'line' },
          encoding: { x, y: { field: 'rps', type: 'quantitative' }, color: colour, strokeDash: peerDash },
        },
        {
          mark: { type: 'point', size: 50, filled: true },
          encoding: {
            x,
            y: { field: 'rps', type: 'quantitative' },
            ...flaggedPoint(colour),
            tooltip: [
              { field: 'label' },
              { field: 'scenario' },
              { field: 'connections' },
              { field: 'rps', format: ',.0f', title: 'req/s (median)' },
              { field: 'rpsMin', format: ',.0f', title: 'min' },
              { field: 'rpsMax', format: ',.0f', title: 'max' },
              { field: 'trials' },
              { field: 'mark', title: 'cell' },
              { field: 'notes' },
            ],
          },
        },
      ],
    },
  };
}

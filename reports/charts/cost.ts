/** Cost: server CPU seconds per 1,000 requests and peak RSS, per model and scenario, at each cell's highest concurrency. */
import type { Results } from '../../bench/results/schema.ts';
import { modelColour } from '../palette.ts';
import { cellRows } from './rows.ts';

export function costChart(results: Results): Record<string, unknown> {
  const rows = cellRows(results);
  const top = new Map<string, number>();
  for (const r of rows)
    top.set(`${r.model}|${r.scenario}`, Math.max(top.get(`${r.model}|${r.scenario}`) ?? 0, r.connections));
  const picked = rows.filter((r) => top.get(`${r.model}|${r.scenario}`) === r.connections);
  const colour = modelColour(results.cells);
  const bar = (field: string, title: string, format: string): Record<string, unknown> => ({
    width: 300,
    height: { step: 12 },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'scenario', type: 'nominal', title: null },
      yOffset: { field: 'model' },
      x: { field, type: 'quantitative', title },
      color: colour,
      opacity: { condition: { test: "datum.mark === 'ok'", value: 1 }, value: 0.4 },
      tooltip: [
        { field: 'label' },
        { field: 'scenario' },
        { field: 'connections' },
        { field, format, title },
        { field: 'mark', title: 'cell' },
      ],
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Cost at the highest concurrency (faded: client-bound or errored)',
    data: { values: picked },
    hconcat: [bar('cpuPerKiloReq', 'server CPU s per 1,000 requests', ',.3f'), bar('rssMiB', 'peak RSS MiB', ',.1f')],
  };
}

/**
 * Summary heatmap: model × scenario, each model's best throughput over the connection levels it ran
 * at, as a share of the scenario's best; the level is written in the square (`@64`), since the best
 * of one model may be at another level than another's.
 */
import type { Results } from '../../bench/results/schema.ts';
import { cellRows } from './rows.ts';

export function heatmapChart(results: Results): Record<string, unknown> {
  const best = new Map<string, { model: string; scenario: string; rps: number; connections: number; mark: string }>();
  for (const r of cellRows(results)) {
    const key = `${r.model}|${r.scenario}`;
    if ((best.get(key)?.rps ?? -1) < r.rps)
      best.set(key, { model: r.label, scenario: r.scenario, rps: r.rps, connections: r.connections, mark: r.mark });
  }
  const top = new Map<string, number>();
  for (const b of best.values()) top.set(b.scenario, Math.max(top.get(b.scenario) ?? 0, b.rps));
  const rows = [...best.values()].map((b) => {
    const share = b.rps / (top.get(b.scenario) || 1);
    return {
      ...b,
      share,
      text: `${(share * 100).toFixed(0)}% @${b.connections}${b.mark === 'ok' ? '' : b.mark === 'errored' ? ' ✗' : b.mark === 'starved' ? ' ▽' : ' ≥'}`,
    };
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: [
      "Throughput relative to the scenario's best, each model at its best connection level (@N)",
      '≥ client-bound, ✗ errored, ▽ starved',
    ],
    data: { values: rows },
    width: { step: 104 },
    height: { step: 26 },
    encoding: {
      x: { field: 'scenario', type: 'nominal', title: null, axis: { labelAngle: -30 } },
      y: { field: 'model', type: 'nominal', title: null },
    },
    layer: [
      {
        mark: 'rect',
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            scale: { domain: [0, 1], scheme: 'blues' },
            title: 'share of best',
          },
          tooltip: [
            { field: 'model' },
            { field: 'scenario' },
            { field: 'rps', format: ',.0f', title: 'best req/s' },
            { field: 'connections' },
            { field: 'share', format: '.1%' },
            { field: 'mark', title: 'cell' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: {
          text: { field: 'text' },
          color: { condition: { test: 'datum.share > 0.6', value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

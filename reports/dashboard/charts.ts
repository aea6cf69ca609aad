/**
 * The dashboard's vega-lite specs: for one model under one scenario, requests/s
 * and p99 over runs ordered by commit time, one line per connection count,
 * one x position per run (commit and start time), regressions against the
 * previous run drawn as red rings.
 */
import type { HistoryPoint } from './history.ts';

type Spec = Record<string, unknown>;

function panel(
  points: HistoryPoint[],
  field: 'rps' | 'p99Us',
  regressed: 'rpsRegressed' | 'p99Regressed',
  title: string,
  labels: string[],
): Spec {
  const x = {
    field: 'label',
    type: 'ordinal',
    sort: labels,
    title: 'run: commit and start time (ordered by commit time)',
    axis: { labelAngle: -40 },
  };
  const y = { field, type: 'quantitative', title, scale: { zero: field === 'rps' } };
  const tooltip = [
    { field: 'label', title: 'run' },
    { field: 'time', title: 'commit time' },
    { field: 'runId', title: 'run' },
    { field: 'connections', title: 'connections' },
    { field, title, format: ',.0f' },
    { field: regressed, title: 'regressed vs previous run' },
  ];
  return {
    width: 360,
    height: 180,
    title,
    data: { values: points },
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: { x, y, color: { field: 'connections', type: 'nominal', title: 'connections' }, tooltip },
      },
      {
        // Every point, the regressed ones visible: a filter left most panels with an empty layer, whose
        // scales vega warned about ("Infinite extent"), 131 times on one page.
        mark: { type: 'point', shape: 'circle', size: 220, strokeWidth: 2.5, color: '#d62728', filled: false },
        encoding: { x, y, opacity: { condition: { test: `datum.${regressed}`, value: 1 }, value: 0 }, tooltip },
      },
    ],
  };
}

/** One chart (two panels side by side) for a model under a scenario. */
export function historySpec(points: HistoryPoint[], labels: string[]): Spec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    hconcat: [
      panel(points, 'rps', 'rpsRegressed', 'requests/s (median of trials)', labels),
      panel(points, 'p99Us', 'p99Regressed', 'p99 latency, µs (median of trials)', labels),
    ],
    config: { font: 'system-ui, sans-serif' },
  };
}

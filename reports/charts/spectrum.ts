/**
 * The HDR percentile spectrum at one concurrency: x is the percentile on a
 * log-of-1/(1−p) scale (50, 90, 99, 99.9, 99.99 evenly spaced), y the latency.
 * A starved cell's line is dotted and labelled at its end: it covers only the
 * requests the model answered, so it would otherwise read as the fastest.
 */
import type { Results } from '../../bench/results/schema.ts';
import { modelColour } from '../palette.ts';
import { cellMark, facetByScenario, peerDash } from './rows.ts';

/** The chosen concurrency: the highest connection count every scenario's cells share, else the highest. */
export function spectrumConnections(results: Results): number {
  const counts = [...new Set(results.cells.map((c) => c.connections))].sort((a, b) => b - a);
  return counts[0] ?? 1;
}

/** Our models solid, peers dashed (as on every chart), a starved cell's line dotted whichever it is. */
const lineDash = {
  field: 'line',
  type: 'nominal',
  title: 'line',
  scale: {
    domain: [...peerDash.scale.domain, 'starved'],
    range: [...peerDash.scale.range, [1, 3]],
  },
};

export function spectrumChart(results: Results, connections = spectrumConnections(results)): Record<string, unknown> {
  const rows = results.cells
    // Open-loop cells (`--rate`) are timed from due times: open-vs-closed plots them.
    .filter((c) => c.status === 'ok' && c.connections === connections && c.loadMode !== 'open')
    .flatMap((c) => {
      // The median trial by p99 stands for the cell: spectra of different trials cannot be averaged point by point.
      const trials = [...c.trials]
        .filter((t) => t.latencyUs.spectrum)
        .sort((a, b) => a.latencyUs.p99 - b.latencyUs.p99);
      const t = trials[Math.floor(trials.length / 2)];
      return (t?.latencyUs.spectrum ?? [])
        .filter(([p, us]) => p >= 50 && p < 100 && us > 0) // a log scale has no place for a zero
        .map(([p, us]) => ({
          model: c.model,
          kind: c.kind,
          line: cellMark(c.flags) === 'starved' ? 'starved' : c.kind,
          scenario: c.scenario,
          percentile: p,
          nines: 1 / (1 - p / 100),
          ms: us / 1000,
        }));
    });
  const colour = modelColour(results.cells);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Latency by percentile at ${connections} connections (dotted, ▽: starved, only the answered requests)`,
    data: { values: rows },
    ...facetByScenario,
    spec: {
      width: 220,
      height: 160,
      encoding: {
        x: {
          field: 'nines',
          type: 'quantitative',
          scale: { type: 'log', domain: [2, 10000] },
          title: 'percentile',
          axis: {
            values: [2, 10, 100, 1000, 10000],
            labelExpr: "{'2':'50','10':'90','100':'99','1000':'99.9','10000':'99.99'}[datum.value] || ''",
          },
        },
        y: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency ms (log)' },
        color: colour,
      },
      layer: [
        {
          mark: { type: 'line', point: false },
          encoding: {
            strokeDash: lineDash,
            tooltip: [
              { field: 'model' },
              { field: 'line', title: 'line' },
              { field: 'percentile', format: '.3f' },
              { field: 'ms', format: ',.3f', title: 'ms' },
            ],
          },
        },
        {
          // The label at a starved line's highest percentile.
          transform: [
            { filter: "datum.line === 'starved'" },
            {
              window: [{ op: 'row_number', as: 'fromTop' }],
              sort: [{ field: 'nines', order: 'descending' }],
              groupby: ['model'],
            },
            { filter: 'datum.fromTop === 1' },
          ],
          mark: { type: 'text', align: 'right', dx: -4, dy: -8, fontSize: 10 },
          encoding: { text: { value: '▽ starved' } },
        },
      ],
    },
  };
}

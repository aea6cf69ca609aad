/** Every chart of the report, by file name. */
import type { Results } from '../../bench/results/schema.ts';
import { costChart } from './cost.ts';
import { heatmapChart } from './heatmap.ts';
import { latencyChart } from './latency.ts';
import { hasBothModes, openVsClosedChart } from './open-vs-closed.ts';
import { spectrumChart } from './spectrum.ts';
import { throughputChart } from './throughput.ts';

export interface ChartDef {
  name: string;
  title: string;
  spec: (results: Results) => Record<string, unknown>;
  /** Drawn only when this holds: a chart of cells that not every run has. */
  applies?: (results: Results) => boolean;
}

export const charts: ChartDef[] = [
  { name: 'summary-heatmap', title: 'Summary', spec: heatmapChart },
  { name: 'throughput', title: 'Throughput vs connections', spec: throughputChart },
  { name: 'latency', title: 'Latency vs connections', spec: latencyChart },
  { name: 'spectrum', title: 'Latency spectrum', spec: (r) => spectrumChart(r) },
  { name: 'cost', title: 'Cost', spec: costChart },
  { name: 'open-vs-closed', title: 'Open vs closed loop (mixed)', spec: openVsClosedChart, applies: hasBothModes },
];

/** The charts a results file has data for. */
export function chartsFor(results: Results): ChartDef[] {
  return charts.filter((c) => c.applies?.(results) ?? true);
}

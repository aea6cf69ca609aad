/** Every chart of the report, by file name. */
import type { Results } from '../../bench/results/schema.ts';
import { costChart } from './cost.ts';
import { heatmapChart } from './heatmap.ts';
import { latencyChart } from './latency.ts';
import { spectrumChart } from './spectrum.ts';
import { throughputChart } from './throughput.ts';

export interface ChartDef { name: string; title: string; spec: (results: Results) => Record<string, unknown> }

export const charts: ChartDef[] = [
  { name: 'summary-heatmap', title: 'Summary', spec: heatmapChart },
  { name: 'throughput', title: 'Throughput vs connections', spec: throughputChart },
  { name: 'latency', title: 'Latency vs connections', spec: latencyChart },
  { name: 'spectrum', title: 'Latency spectrum', spec: (r) => spectrumChart(r) },
  { name: 'cost', title: 'Cost', spec: costChart },
];

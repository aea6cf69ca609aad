/** One fixed colour per model, the same in every chart; peers in greys, dashed. */
import type { Cell } from '../bench/results/schema.ts';

const modelColours: Record<string, string> = {
  blocking: '#d62728',
  'process-per-request': '#9467bd',
  'event-loop': '#1f77b4',
  'worker-pool': '#2ca02c',
  prefork: '#ff7f0e',
  'reuse-port': '#17becf',
  'node-http': '#555555',
  nginx: '#999999',
};
const spare = ['#8c564b', '#e377c2', '#bcbd22', '#7f7f7f'];

/** The vega-lite colour scale for the models present, in a stable order. */
export function colourScale(cells: Cell[]): { domain: string[]; range: string[] } {
  const names = [...new Set(cells.map((c) => c.model))].sort((a, b) => order(a) - order(b) || a.localeCompare(b));
  return { domain: names, range: names.map((n, i) => modelColours[n] ?? spare[i % spare.length] ?? '#000') };
}

/**
 * The colour encoding of the models, legend included. Its swatches are opaque: a legend merged
 * across layers takes the first layer's mark opacity (a faint band or range), and at 0.2 the
 * models' colours looked alike.
 */
export function modelColour(cells: Cell[]): Record<string, unknown> {
  return { field: 'model', type: 'nominal', title: 'model', scale: colourScale(cells), legend: { symbolOpacity: 1 } };
}

function order(name: string): number {
  const i = Object.keys(modelColours).indexOf(name);
  return i < 0 ? 99 : i;
}

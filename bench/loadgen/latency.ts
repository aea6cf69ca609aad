/**
 * Latency recording: an HDR histogram with microsecond resolution (1 µs to
 * 60 s, three significant digits), summarised into the results file's
 * `Latency` shape with a percentile spectrum for HDR-style plots.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { Latency } from '../results/schema.ts';

const highestUs = 60_000_000;

/** A fresh histogram of response times in microseconds. */
export function latencyHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: highestUs,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });
}

/** Record one response time; values outside the histogram's range are clamped, not lost. */
export function recordUs(histogram: Histogram, us: number): void {
  histogram.recordValue(Math.min(highestUs, Math.max(1, Math.round(us))));
}

/**
 * Percentiles at which the spectrum is sampled: halving the remaining tail at
 * each step (50, 75, 87.5, ...), as HDR plots do, then the maximum.
 */
function spectrumPoints(count: number): number[] {
  const points = [0];
  for (let k = 1; k <= 20; k++) {
    const p = 100 * (1 - 2 ** -k);
    // Past 1/count of the tail every further point is the maximum again.
    if (2 ** k > count * 2) break;
    points.push(p);
  }
  points.push(100);
  return points;
}

/** The results file's latency figures from a histogram (all zero when it is empty). */
export function summarizeLatency(histogram: Histogram): Latency {
  const count = histogram.totalCount;
  if (count === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0, mean: 0, spectrum: [] };
  const at = (p: number): number => histogram.getValueAtPercentile(p);
  return {
    p50: at(50),
    p90: at(90),
    p99: at(99),
    p999: at(99.9),
    max: histogram.maxValue,
    mean: histogram.mean,
    spectrum: spectrumPoints(count).map((p): [number, number] => [round(p), p === 100 ? histogram.maxValue : at(p)]),
  };
}

function round(p: number): number {
  return Math.round(p * 1e6) / 1e6;
}

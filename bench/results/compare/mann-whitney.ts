/**
 * Mann–Whitney U test, one-sided: is `current` stochastically smaller than
 * `baseline`? Exact null distribution for small samples (a benchmark has 3-10
 * trials a side, where a normal approximation is poor), the normal
 * approximation beyond. Ties get mid-ranks; the exact distribution assumes none,
 * which makes the test slightly conservative when figures repeat.
 */

import { errorFunction } from 'simple-statistics';

const exactLimit = 30;

/** U statistic of `current` against `baseline`: pairs where current < baseline, ties count half. */
export function uStatistic(baseline: number[], current: number[]): number {
  let u = 0;
  for (const c of current) for (const b of baseline) u += c < b ? 1 : c === b ? 0.5 : 0;
  return u;
}

/** counts[u] = arrangements of m and n items with U = u, by the classic recurrence f(m,n,u) = f(m-1,n,u-n) + f(m,n-1,u). */
function uCounts(m: number, n: number): number[] {
  // table[i][j] is the count array for (i, j); built row by row.
  let previous: number[][] = Array.from({ length: n + 1 }, () => [1]);
  for (let i = 1; i <= m; i++) {
    const row: number[][] = [[1]];
    for (let j = 1; j <= n; j++) {
      const size = i * j + 1;
      const counts = new Array<number>(size).fill(0);
      const up = previous[j] as number[];
      const left = row[j - 1] as number[];
      for (let u = 0; u < size; u++) counts[u] = (u - j >= 0 ? (up[u - j] ?? 0) : 0) + (left[u] ?? 0);
      row.push(counts);
    }
    previous = row;
  }
  return previous[n] as number[];
}

/**
 * P(Z ≥ z) for a standard normal Z, from simple-statistics' error function (accurate to ~1e-7), not
 * its cumulativeStdNormalProbability, which reads a four-digit table in steps of 0.01.
 */
function normalTail(z: number): number {
  return 0.5 * (1 - errorFunction(z / Math.SQRT2));
}

/** One-sided p-value for "current tends to be smaller than baseline". */
export function pCurrentSmaller(baseline: number[], current: number[]): number {
  const m = current.length;
  const n = baseline.length;
  if (m === 0 || n === 0) return 1;
  const u = uStatistic(baseline, current);
  if (m <= exactLimit && n <= exactLimit) {
    const counts = uCounts(m, n);
    const total = counts.reduce((s, c) => s + c, 0);
    // P(U >= u) under the null; a half-integer u from ties rounds up (conservative).
    let tail = 0;
    for (let k = Math.ceil(u); k < counts.length; k++) tail += counts[k] as number;
    return tail / total;
  }
  const mean = (m * n) / 2;
  const sd = Math.sqrt((m * n * (m + n + 1)) / 12);
  return normalTail((u - 0.5 - mean) / sd);
}

/**
 * The arithmetic of counted blocks: instructions per request of each block,
 * and the summary of the blocks that count (the median and the spread).
 */

/** One measured block. */
export interface CountedBlock {
  /** 1-based, in the order the blocks ran. */
  index: number;
  requests: number;
  /** Instructions of every process of the server, summed, from instrumentation on to the dump. */
  instructions: number;
  /** instructions / requests. */
  perRequest: number;
  /** Wall time of the block's requests under Valgrind. */
  wallMs: number;
  /** Callgrind processes counted (a tree's processes; process-per-request's children too). */
  processes: number;
  /** A settling block: measured and recorded, not part of the summary. */
  discarded: boolean;
}

/** The figure of a cell: what the blocks that count agree on. */
export interface InstructionsSummary {
  /** Median of the kept blocks' instructions per request. */
  median: number;
  min: number;
  max: number;
  /** (max − min) / median of the kept blocks, in percent. */
  spreadPercent: number;
  /** Blocks the summary is made of. */
  blocks: number;
}

export function perRequest(instructions: number, requests: number): number {
  if (!(requests > 0)) throw new Error(`a block needs requests (got ${requests})`);
  return instructions / requests;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Summarise the blocks not discarded. */
export function summarise(blocks: readonly CountedBlock[]): InstructionsSummary {
  const kept = blocks.filter((block) => !block.discarded).map((block) => block.perRequest);
  if (kept.length === 0) throw new Error('no block left to summarise (every block was discarded)');
  const middle = median(kept);
  const min = Math.min(...kept);
  const max = Math.max(...kept);
  return { median: middle, min, max, spreadPercent: ((max - min) / middle) * 100, blocks: kept.length };
}

/**
 * Per-request instructions from two blocks of N and 2N requests:
 * (I(2N) − I(N)) / N. What a block costs whatever its length (switching the
 * instrumentation on and off, the idle loop around the first and last request)
 * cancels; what is left is the cost of N more requests.
 */
export function differencePerRequest(
  single: { requests: number; instructions: number },
  double: typeof single,
): number {
  const extra = double.requests - single.requests;
  if (!(extra > 0))
    throw new Error(`the second block must have more requests (${single.requests}, ${double.requests})`);
  return (double.instructions - single.instructions) / extra;
}

/** How far apart two figures are, in percent of the first. */
export function differencePercent(reference: number, other: number): number {
  return ((other - reference) / reference) * 100;
}

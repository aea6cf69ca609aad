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
  /** Median of the kept blocks' instructions per request: the figure to store and gate on. */
  median: number;
  min: number;
  max: number;
  /** (max − min) / median of the kept blocks, in percent. */
  spreadPercent: number;
  /**
   * The kept blocks pooled: their instructions over their requests. A scavenge and the
   * frees after it come in lumps of ~0.8 M instructions (event-loop /hello), so a block of
   * 2,500 requests holds one more or one fewer of them than its neighbour and the blocks
   * fall into two groups ~1% apart; the pooled figure averages the lumps over every kept
   * request. It goes beside the median, which agreed better between runs: it leaves out
   * a block holding a rare major GC (docs/counted.md).
   */
  pooled: number;
  /** Blocks the summary is made of. */
  blocks: number;
}

/**
 * Refuse a plan whose blocks would not be alike: every block must hold whole
 * cycles of the scenario's requests (mixed's cycle is nine /hello and one /cpu:
 * a block that ended mid-cycle would hold another share of /cpu than its
 * neighbours), and at least one block must be left after the discarded ones.
 */
export function checkPlan(plan: readonly number[], cycle: number, discard: number): void {
  if (plan.length <= discard) throw new Error(`${plan.length} blocks, ${discard} discarded: none left`);
  for (const requests of plan)
    if (!Number.isInteger(requests) || requests <= 0 || requests % cycle !== 0)
      throw new Error(`a block of ${requests} requests does not hold whole cycles of ${cycle} requests`);
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
  const keptBlocks = blocks.filter((block) => !block.discarded);
  const kept = keptBlocks.map((block) => block.perRequest);
  if (kept.length === 0) throw new Error('no block left to summarise (every block was discarded)');
  const middle = median(kept);
  const min = Math.min(...kept);
  const max = Math.max(...kept);
  const instructions = keptBlocks.reduce((sum, block) => sum + block.instructions, 0);
  const requests = keptBlocks.reduce((sum, block) => sum + block.requests, 0);
  return {
    median: middle,
    min,
    max,
    spreadPercent: ((max - min) / middle) * 100,
    pooled: instructions / requests,
    blocks: kept.length,
  };
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

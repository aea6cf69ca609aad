/**
 * The counted figures' defaults, per model: warm-up, block size, blocks and
 * the settling blocks left out (measured choices: docs/counted.md).
 */
import { availableParallelism } from 'node:os';

export interface CountedDefaults {
  warmupRequests: number;
  blockRequests: number;
  blocks: number;
  discardBlocks: number;
}

/** Warm-up requests per process or thread that serves: V8 tiers each one up on its own. */
const warmupPerServer = 10_000;

const longLived: CountedDefaults = {
  warmupRequests: warmupPerServer,
  blockRequests: 2_500,
  blocks: 5,
  discardBlocks: 1,
};

/** A whole Node start per request, counted from its first instruction: a few requests, not thousands. */
const perRequestProcess: CountedDefaults = { warmupRequests: 1, blockRequests: 1, blocks: 3, discardBlocks: 1 };

/** The defaults for `model`; `servers` is its pool size (prefork's processes, worker-pool's threads). */
export function countedDefaults(model: string, servers = availableParallelism()): CountedDefaults {
  if (model === 'process-per-request') return perRequestProcess;
  // The pools spread the warm-up over their members (round-robin, least busy): each needs its share.
  if (model === 'prefork' || model === 'worker-pool')
    return { ...longLived, warmupRequests: warmupPerServer * servers };
  return longLived;
}

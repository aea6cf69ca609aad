/**
 * The load generators a run can use, by name: `--loadgen NAME` picks one. A new
 * generator is one more entry here (the slow clients are not one: they run beside
 * whichever generator measures, see slow-clients.ts).
 */
import { AutocannonLoadGenerator } from './autocannon.ts';
import { OpenLoopLoadGenerator } from './open-loop.ts';
import type { LoadGenerator, LoadGeneratorOptions } from './types.ts';
import { WrkLoadGenerator, wrkUnavailable } from './wrk.ts';

/** How to start one kind of load generator. */
export interface LoadGeneratorKind {
  description: string;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  start(options: LoadGeneratorOptions): Promise<LoadGenerator>;
}

export const loadGenerators: Record<string, LoadGeneratorKind> = {
  autocannon: {
    description: 'autocannon in its own process, every response timed in µs (default)',
    unavailable: () => undefined,
    start: (options) => AutocannonLoadGenerator.start(options),
  },
  wrk: {
    description: 'the wrk binary, one thread: a second opinion, and the faster client',
    unavailable: wrkUnavailable,
    start: async (options) => new WrkLoadGenerator(options),
  },
  'open-loop': {
    description: 'requests on a fixed schedule (--rate), timed from when each was due; closed loop without a rate',
    unavailable: () => undefined,
    start: (options) => OpenLoopLoadGenerator.start(options),
  },
};

/**
 * The open-loop load generator (`--rate`): one long-lived runner process,
 * pinned to the client CPUs like autocannon's, that runs job after job with the
 * open-loop client. Jobs with a rate run on a fixed schedule and are timed from
 * each request's due time; jobs without one (calibration, the closed-loop cells
 * of a `--rate closed,...` run) run closed loop in the same code.
 */
import { fileURLToPath } from 'node:url';
import { RunnerLoadGenerator } from './runner-process.ts';
import type { LoadGeneratorOptions } from './types.ts';

const runnerPath = fileURLToPath(new URL('./open-loop-runner.ts', import.meta.url));

export class OpenLoopLoadGenerator extends RunnerLoadGenerator {
  readonly name = 'open-loop';

  static async start(options: LoadGeneratorOptions): Promise<OpenLoopLoadGenerator> {
    return new OpenLoopLoadGenerator(await RunnerLoadGenerator.fork(runnerPath, 'open-loop', options));
  }
}

/**
 * autocannon as a LoadGenerator: one long-lived runner process (pinned to the
 * client CPUs) that runs job after job, so a cell does not pay a Node start for
 * its load generator.
 */
import { fileURLToPath } from 'node:url';
import { RunnerLoadGenerator } from './runner-process.ts';
import type { LoadGeneratorOptions } from './types.ts';

const runnerPath = fileURLToPath(new URL('./autocannon-runner.ts', import.meta.url));

export class AutocannonLoadGenerator extends RunnerLoadGenerator {
  readonly name = 'autocannon';
  readonly keepsCookies = true;

  static async start(options: LoadGeneratorOptions): Promise<AutocannonLoadGenerator> {
    return new AutocannonLoadGenerator(await RunnerLoadGenerator.fork(runnerPath, 'autocannon', options));
  }
}

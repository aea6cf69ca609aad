/**
 * The open-loop load generator (`--rate`): one long-lived runner process,
 * pinned to the client CPUs like autocannon's, that runs job after job with the
 * open-loop client. Jobs with a rate run on a fixed schedule and are timed from
 * each request's due time; jobs without one (calibration, the closed-loop cells
 * of a `--rate closed,...` run) run closed loop in the same code.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { repoRoot } from '../paths.ts';
import type { RunnerMessage, RunnerReply } from './autocannon-protocol.ts';
import type { LoadGenerator, LoadGeneratorOptions, LoadJob, LoadResult } from './types.ts';

const runnerPath = fileURLToPath(new URL('./open-loop-runner.ts', import.meta.url));

/** A job that outlives its duration by this much is presumed stuck. */
const jobGraceMs = 15_000;

export class OpenLoopLoadGenerator implements LoadGenerator {
  readonly name = 'open-loop';
  private constructor(private readonly child: ChildProcess) {}

  /** Start the runner process and wait for it to say it is ready. */
  static async start(options: LoadGeneratorOptions): Promise<OpenLoopLoadGenerator> {
    // taskset execs node in place, so the IPC channel and the PID carry through.
    const stdio: ['ignore', 'ignore', 'inherit', 'ipc'] = ['ignore', 'ignore', 'inherit', 'ipc'];
    const child = options.cpus === null
      ? fork(runnerPath, [], { execArgv: ['--import', 'tsx'], cwd: repoRoot, stdio })
      : fork(runnerPath, [], { execPath: 'taskset', execArgv: ['-c', options.cpus, process.execPath, '--import', 'tsx'], cwd: repoRoot, stdio });
    if (child.pid !== undefined) options.onProcess?.(child.pid);
    await new Promise<void>((resolve, reject) => {
      const onMessage = (m: RunnerReply) => {
        if (m.type === 'ready') done(null);
      };
      const onExit = (code: number | null) => done(new Error(`the open-loop runner exited (code ${code}) before it was ready`));
      const done = (error: Error | null) => {
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve();
      };
      child.on('message', onMessage);
      child.on('exit', onExit);
    });
    return new OpenLoopLoadGenerator(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.send({ type: 'stop' });
        done(new Error(`the open-loop generator did not finish within ${job.durationSec}s + ${jobGraceMs / 1000}s`));
      }, job.durationSec * 1000 + jobGraceMs);
      const onMessage = (m: RunnerReply) => {
        if (m.type === 'result') done(null, m.result);
        else if (m.type === 'error') done(new Error(`open-loop: ${m.message}`));
      };
      const onExit = (code: number | null, sig: string | null) => done(new Error(`the open-loop runner exited (${sig ?? `code ${code}`}) during a job`));
      const done = (error: Error | null, result?: LoadResult) => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        if (error) reject(error);
        else resolve(result as LoadResult);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
      this.send({ type: 'run', job });
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private send(message: RunnerMessage): void {
    if (this.child.connected) this.child.send(message);
  }
}

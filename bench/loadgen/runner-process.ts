/**
 * A load generator that lives in one long-lived process of its own (pinned to
 * the client CPUs), which runs job after job over IPC, so a cell does not pay a
 * Node start for its load generator. autocannon and the open-loop client both
 * run this way; `serveJobs` is the runner's side of the same exchange.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { repoRoot } from '../os/paths.ts';
import { pinned, untilReady } from '../os/processes.ts';
import type { RunnerMessage, RunnerReply } from './autocannon-protocol.ts';
import type { LoadGenerator, LoadGeneratorOptions, LoadJob, LoadResult } from './types.ts';

/** A job that outlives its duration by this much is presumed stuck. */
const jobGraceMs = 15_000;

export abstract class RunnerLoadGenerator implements LoadGenerator {
  abstract readonly name: string;
  protected constructor(private readonly child: ChildProcess) {}

  /** Fork `runnerPath` (a module that calls `serveJobs`) on `options.cpus` and wait for it to say it is ready. */
  protected static async fork(runnerPath: string, name: string, options: LoadGeneratorOptions): Promise<ChildProcess> {
    // taskset execs node in place, so the IPC channel and the PID carry through.
    const [execPath, execArgv] = pinned(options.cpus, process.execPath, ['--import', 'tsx']);
    const child = fork(runnerPath, [], {
      execPath,
      execArgv,
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    if (child.pid !== undefined) options.onProcess?.(child.pid);
    await untilReady(child, (code) => `the ${name} runner exited (code ${code}) before it was ready`);
    return child;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => {
          this.send({ type: 'stop' });
          done(new Error(`${this.name} did not finish within ${job.durationSec}s + ${jobGraceMs / 1000}s`));
        },
        job.durationSec * 1000 + jobGraceMs,
      );
      const onMessage = (m: RunnerReply) => {
        if (m.type === 'result') done(null, m.result);
        else if (m.type === 'error') done(new Error(`${this.name}: ${m.message}`));
      };
      const onExit = (code: number | null, sig: string | null) =>
        done(new Error(`the ${this.name} runner exited (${sig ?? `code ${code}`}) during a job`));
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

/**
 * The runner process's side: run each job the harness sends with `runJob`,
 * reply with its result or its error, `stop` on request, and exit when the
 * harness closes the channel (or is gone).
 */
export function serveJobs(runJob: (job: LoadJob) => Promise<LoadResult>, stop: () => void): void {
  const reply = (message: RunnerReply): void => void process.send?.(message);
  process.on('message', (message: RunnerMessage) => {
    if (message.type === 'stop') return stop();
    // Called inside then() so that a job that throws at once is answered like one that fails later.
    Promise.resolve()
      .then(() => runJob(message.job))
      .then(
        (result) => reply({ type: 'result', result }),
        (error: unknown) => reply({ type: 'error', message: error instanceof Error ? error.message : String(error) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'ready' });
}

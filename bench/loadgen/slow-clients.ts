/**
 * Slow clients beside a load generator (the slow-clients scenario). A share of
 * a cell's connections send their requests a few bytes at a time from a process
 * of their own (bench/loadgen/slow-sender.ts, pinned with the load generator),
 * while the load generator's connections, the rest, measure latency as in any
 * scenario. It is a LoadGenerator wrapping another: every window (warm-up or
 * trial) starts fresh slow senders, runs the inner job once they are connected,
 * then stops them and records what they did with the trial.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from '../../servers/cores/bundle.ts';
import { pinned, untilReady } from '../os/processes.ts';
import type { SlowClientsFigures } from '../results/schema.ts';
import type { LoadGenerator, LoadJob, LoadRequest, LoadResult } from './types.ts';

/** How a scenario's slow clients behave (recorded through the scenario's params). */
export interface SlowClientsSpec {
  /** Share of the cell's connections that are slow (at least one slow and one fast). */
  share: number;
  bytesPerWrite: number;
  writeIntervalMs: number;
  /** The request every slow connection sends, over and over on a kept-alive connection. */
  request: LoadRequest;
}

/** What the slow-sender process is told to do. */
export interface SlowSenderJob {
  url: string;
  connections: number;
  request: LoadRequest;
  bytesPerWrite: number;
  writeIntervalMs: number;
  /** The sender stops and exits by itself this long after it got the job. */
  maxDurationMs: number;
}

export type SlowSenderMessage = { type: 'run'; job: SlowSenderJob } | { type: 'stop' };
export type SlowSenderReply = { type: 'ready' } | { type: 'result'; figures: SlowClientsFigures };

/** How long the senders may outlast the load generator's window (its start-up and wind-down) before they stop themselves. */
const overrunMs = 3_000;
/** A sender still there this long after its stop (or its own deadline) is killed by PID. */
const killAfterMs = 2_000;
/** A sender not connected by then has failed (a start-up of plain node is ~0.3 s here). */
const readyTimeoutMs = 10_000;

const senderEntry = fileURLToPath(new URL('./slow-sender.ts', import.meta.url));

/** Split a cell's connections into slow and fast ones: `share` of them slow, rounded, with at least one of each. */
export function splitConnections(connections: number, share: number): { slow: number; fast: number } {
  const slow = Math.max(1, Math.round(connections * share));
  return { slow, fast: Math.max(1, connections - slow) };
}

/** How long sending a request of `requestBytes` takes at the spec's rate, from its first write to its last. */
export function slowRequestSpreadMs(
  requestBytes: number,
  spec: Pick<SlowClientsSpec, 'bytesPerWrite' | 'writeIntervalMs'>,
): number {
  return (Math.ceil(requestBytes / spec.bytesPerWrite) - 1) * spec.writeIntervalMs;
}

/** A load generator whose every job also runs slow clients beside it. */
export class SlowClientsLoadGenerator implements LoadGenerator {
  readonly name: string;
  private senderFile: Promise<string> | null = null;

  /** `cpus`: the load generator's CPU list for taskset (null = unpinned). */
  constructor(
    private readonly inner: LoadGenerator,
    private readonly spec: SlowClientsSpec,
    private readonly cpus: string | null,
  ) {
    this.name = inner.name;
  }

  async run(job: LoadJob): Promise<LoadResult> {
    const { slow, fast } = splitConnections(job.connections, this.spec.share);
    this.senderFile ??= bundleEntry(senderEntry, 'slow-sender', 'cjs');
    const sender = await SlowSender.start(await this.senderFile, this.cpus, {
      url: job.url,
      connections: slow,
      request: this.spec.request,
      bytesPerWrite: this.spec.bytesPerWrite,
      writeIntervalMs: this.spec.writeIntervalMs,
      maxDurationMs: job.durationSec * 1000 + overrunMs,
    });
    let result: LoadResult;
    try {
      result = await this.inner.run({ ...job, connections: fast });
    } catch (error) {
      await sender.stop().catch(() => undefined);
      throw error;
    }
    const figures = await sender.stop();
    return { ...result, slowClients: figures, notes: [...result.notes, ...slowClientNotes(figures)] };
  }

  /** The inner generator is the caller's to close; senders never outlive their job. */
  async close(): Promise<void> {}
}

/** What a cell's flags should say about its slow clients: only what went wrong. */
export function slowClientNotes(figures: SlowClientsFigures): string[] {
  if (figures.failed === 0 && figures.errors === 0) return [];
  return [
    `slow clients: ${figures.failed} wrong or non-2xx answers (408 = cut by the headers timeout), ${figures.errors} connections broken off mid-request`,
  ];
}

/** One slow-sender process, from start to exit. */
class SlowSender {
  private figures: SlowClientsFigures | null = null;
  private readonly exited: Promise<void>;
  private killTimer: NodeJS.Timeout;

  private constructor(
    private readonly child: ChildProcess,
    maxDurationMs: number,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.on('message', (m: SlowSenderReply) => {
      if (m.type === 'result') this.figures = m.figures;
    });
    // The bound: whatever happens in the harness, the sender is gone shortly after its own deadline.
    this.killTimer = setTimeout(() => this.kill(), maxDurationMs + killAfterMs);
    void this.exited.then(() => clearTimeout(this.killTimer));
  }

  /** Start a sender on `cpus` and wait until its connections are open. */
  static async start(file: string, cpus: string | null, job: SlowSenderJob): Promise<SlowSender> {
    const [command, args] = pinned(cpus, process.execPath, []);
    // taskset execs node in place, so the IPC channel and the PID carry through.
    const child = fork(file, [], { execPath: command, execArgv: args, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const sender = new SlowSender(child, job.maxDurationMs);
    try {
      const ready = untilReady(
        child,
        (code) => `the slow-sender process exited (code ${code}) before its connections were open`,
        { ms: readyTimeoutMs, message: `the slow senders did not connect within ${readyTimeoutMs / 1000}s` },
      );
      // Handled here too, in case send throws before it is awaited: the child's exit would then reject it.
      ready.catch(() => undefined);
      child.send({ type: 'run', job } satisfies SlowSenderMessage);
      await ready;
    } catch (error) {
      await sender.stop().catch(() => undefined);
      throw error;
    }
    return sender;
  }

  /** Tell the sender to stop, wait for its figures and its exit (killing it by PID if it lingers). */
  async stop(): Promise<SlowClientsFigures> {
    if (this.child.connected) this.child.send({ type: 'stop' } satisfies SlowSenderMessage);
    const lingering = setTimeout(() => this.kill(), killAfterMs);
    await this.exited;
    clearTimeout(lingering);
    if (!this.figures) throw new Error(`the slow-sender process (PID ${this.child.pid}) exited without its figures`);
    return this.figures;
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

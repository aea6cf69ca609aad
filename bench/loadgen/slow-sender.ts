/**
 * The slow-clients scenario's own process: it opens its connections to the
 * server and on each sends requests a few bytes at a time, one after another on
 * the kept-alive connection, reading and checking every answer. The requests are
 * slow, not broken: each one is sent whole and its answer counted. It stops when
 * told, or by itself at its deadline, whichever comes first, and then exits, so
 * it cannot outlive the window it was started for.
 *
 * It runs as plain JavaScript (bundled by bench/loadgen/slow-clients.ts) so a
 * trial does not wait a second for a TypeScript loader to start.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { expectFor } from '../check/expectations.ts';
import { parseResponse, serializeRequest } from '../http/client.ts';
import type { SlowClientsFigures } from '../results/schema.ts';
import type { SlowSenderMessage, SlowSenderReply, SlowSenderJob } from './slow-clients.ts';

/** Running totals over every connection of the job. */
interface Totals {
  completed: number;
  failed: number;
  errors: number;
  requestMs: number;
}

/** One slow connection: send a request in pieces, read its answer, start the next; reconnect if the server closes. */
class SlowConnection {
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private buffer = Buffer.alloc(0);
  /** Bytes of the current request written so far; null between requests. */
  private sent: number | null = null;
  private startedAt = 0;
  private stopped = false;

  constructor(
    private readonly job: SlowSenderJob,
    private readonly wire: Buffer,
    private readonly check: ReturnType<typeof expectFor>,
    private readonly totals: Totals,
  ) {}

  /** Connect; resolves once connected (or failed: the failure is counted and retried). */
  open(): Promise<void> {
    const { hostname, port } = new URL(this.job.url);
    return new Promise((resolve) => {
      const socket = connect(Number(port), hostname);
      this.socket = socket;
      this.buffer = Buffer.alloc(0);
      socket.setNoDelay(true);
      socket.once('connect', () => {
        resolve();
        this.beginRequest();
      });
      socket.on('data', (chunk: Buffer) => this.onData(chunk));
      socket.on('error', () => socket.destroy());
      socket.once('close', () => {
        resolve();
        this.onClose(socket);
      });
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.socket?.destroy();
  }

  private beginRequest(): void {
    this.sent = 0;
    this.startedAt = performance.now();
    this.writeNext();
  }

  private writeNext(): void {
    this.timer = null;
    const socket = this.socket;
    if (this.stopped || !socket || socket.destroyed || this.sent === null) return;
    const end = Math.min(this.wire.length, this.sent + this.job.bytesPerWrite);
    socket.write(this.wire.subarray(this.sent, end));
    this.sent = end;
    if (end < this.wire.length) this.timer = setTimeout(() => this.writeNext(), this.job.writeIntervalMs);
  }

  private onData(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let parsed: ReturnType<typeof parseResponse>;
    try {
      parsed = parseResponse(this.buffer);
    } catch {
      this.totals.failed++;
      this.socket?.destroy();
      return;
    }
    if (!parsed) return;
    this.buffer = this.buffer.subarray(parsed.consumed);
    const complete = this.sent === this.wire.length;
    if (complete && this.check(parsed.response).length === 0) {
      this.totals.completed++;
      this.totals.requestMs += performance.now() - this.startedAt;
    } else {
      // An answer before the request was whole (a 408 from a headers timeout) or a wrong one.
      this.totals.failed++;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sent = null;
    if (/\bclose\b/i.test(parsed.response.headers.connection ?? '')) this.socket?.end();
    else this.beginRequest();
  }

  private onClose(socket: Socket): void {
    if (this.stopped || socket !== this.socket) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Closed with a request under way: the server broke it off. Between requests it only ended a connection it had said it would close.
    if (this.sent !== null) this.totals.errors++;
    this.sent = null;
    // Keep the pressure on, but do not spin on a server that refuses: wait one write interval.
    this.timer = setTimeout(() => void this.open(), this.job.writeIntervalMs);
  }
}

function reply(message: SlowSenderReply): void {
  process.send?.(message);
}

// This process runs one job and exits: its state lives exactly as long as that job.
let connections: SlowConnection[] = [];
const totals: Totals = { completed: 0, failed: 0, errors: 0, requestMs: 0 };
let finished = false;

async function run(job: SlowSenderJob): Promise<void> {
  const { host } = new URL(job.url);
  const wire = serializeRequest(job.request, host);
  const check = expectFor(job.request);
  connections = Array.from({ length: job.connections }, () => new SlowConnection(job, wire, check, totals));
  // The deadline bounds this process whatever the harness does.
  setTimeout(finish, job.maxDurationMs).unref();
  await Promise.all(connections.map((c) => c.open()));
  reply({ type: 'ready' });
}

/** Stop every connection, report what they did and exit. */
function finish(): void {
  if (finished) return;
  finished = true;
  for (const c of connections) c.stop();
  const figures: SlowClientsFigures = {
    connections: connections.length,
    completed: totals.completed,
    failed: totals.failed,
    errors: totals.errors,
    meanRequestMs: totals.completed > 0 ? totals.requestMs / totals.completed : 0,
  };
  // Exit once the figures are handed over (or at once when nobody is listening any more).
  if (process.connected) process.send?.({ type: 'result', figures } satisfies SlowSenderReply, () => process.exit(0));
  else process.exit(0);
}

process.on('message', (message: SlowSenderMessage) => {
  if (message.type === 'run') void run(message.job);
  else finish();
});
// The harness gone (or done) means the window is over.
process.on('disconnect', finish);

/**
 * The open-loop client: with a rate R, request k comes due k/R seconds after
 * the start whatever the server does, and is timed from when it was due, not
 * from when it was sent. A request due while every connection is busy waits in
 * this client's queue, and that wait is part of its latency: the
 * coordinated-omission correction of wrk2, so a stalled server shows the tail
 * its users would see. Without a rate it runs closed loop (each connection
 * sends its next request when the previous one is answered, timed from the
 * send), so the two modes are measured by the same code.
 */
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import type { Histogram } from 'hdr-histogram-js';
import { parseResponse, serializeRequest } from '../http/client.ts';
import { latencyHistogram, recordUs, summarizeLatency } from './latency.ts';
import type { LoadJob, LoadResult } from './types.ts';

/** A request written to a connection and not yet answered. */
interface InFlight {
  /** Index into the job's requests. */
  request: number;
  dueMs: number;
  sentMs: number;
}

/** One keep-alive connection and what it is waiting for (in order: responses come back in order). */
interface Connection {
  socket: Socket | null;
  connected: boolean;
  /** Received bytes not yet parsed, kept as chunks until a whole response can be there. */
  chunks: Buffer[];
  buffered: number;
  /** Bytes the response being received needs in all (0 = unknown: try to parse at every chunk). */
  need: number;
  inFlight: InFlight[];
}

/** How often in-flight requests are checked against the job's timeout. */
const timeoutCheckMs = 100;

/** One job, from its first request to its result; `stop()` ends it early. */
export class LoadRun {
  private readonly wire: Buffer[];
  private readonly noBody: boolean[];
  private readonly host: { hostname: string; port: number };
  private readonly connections: Connection[] = [];
  private readonly all = latencyHistogram();
  private readonly groups = new Map<string, { histogram: Histogram; requests: number }>();
  private startMs = 0;
  /** Requests sent so far (open loop: request k is the k-th due one). */
  private sent = 0;
  /** The connection the next open-loop request tries first. */
  private cursor = 0;
  private requests = 0;
  private bytes = 0;
  private errors = 0;
  private timeouts = 0;
  private non2xx = 0;
  private stopped = false;
  private nextTimer: NodeJS.Timeout | null = null;
  private finish: () => void = () => {};

  constructor(private readonly job: LoadJob) {
    const url = new URL(job.url);
    this.host = { hostname: url.hostname, port: Number(url.port) };
    this.wire = job.requests.map((r) => serializeRequest(r, url.host));
    this.noBody = job.requests.map((r) => r.method === 'HEAD');
    if (job.rate !== undefined && !(job.rate > 0))
      throw new Error(`the rate must be a positive number of requests/s, not ${job.rate}`);
    if (job.requests.length === 0) throw new Error('a job needs at least one request');
  }

  /** Run for the job's duration and summarise what was measured. */
  run(): Promise<LoadResult> {
    const cpuBefore = process.cpuUsage();
    this.startMs = performance.now();
    for (let i = 0; i < this.job.connections; i++) {
      const connection: Connection = { socket: null, connected: false, chunks: [], buffered: 0, need: 0, inFlight: [] };
      this.connections.push(connection);
      this.open(connection);
    }
    const checker = setInterval(() => this.checkTimeouts(), timeoutCheckMs);
    return new Promise((resolve) => {
      const end = setTimeout(() => this.finish(), this.job.durationSec * 1000);
      this.finish = () => {
        if (this.stopped) return;
        this.stopped = true;
        clearTimeout(end);
        clearInterval(checker);
        if (this.nextTimer) clearTimeout(this.nextTimer);
        resolve(this.result(performance.now(), process.cpuUsage(cpuBefore)));
        for (const c of this.connections) c.socket?.destroy();
      };
      this.pump();
    });
  }

  stop(): void {
    this.finish();
  }

  /** Due time of request k (open loop only). */
  private dueMs(k: number): number {
    return this.startMs + (k * 1000) / (this.job.rate as number);
  }

  /** How many requests have come due by `now` (open loop only). */
  private dueBy(now: number): number {
    return Math.floor(((now - this.startMs) * (this.job.rate as number)) / 1000) + 1;
  }

  /** Send whatever is due on the connections that can take it, then wake up for the next due request. */
  private pump(only?: Connection): void {
    if (this.stopped) return;
    const now = performance.now();
    const depth = this.job.pipelining;
    if (this.job.rate === undefined) {
      // Closed loop: a connection's next request goes out as soon as it has room.
      for (const c of only ? [only] : this.connections) {
        while (c.connected && c.inFlight.length < depth) this.send(c, now, now);
      }
      return;
    }
    const due = this.dueBy(now);
    // Round robin from where the last pump stopped, so the load is spread over every connection.
    // A full lap that finds no free connection leaves the rest queued here.
    for (let busy = 0; this.sent < due && busy < this.connections.length; ) {
      const c = this.connections[this.cursor] as Connection;
      this.cursor = (this.cursor + 1) % this.connections.length;
      if (c.connected && c.inFlight.length < depth) {
        this.send(c, this.dueMs(this.sent), now);
        busy = 0;
      } else busy++;
    }
    // When everything due is sent, sleep until the next request is due; otherwise
    // a response (or a connection coming up) frees a slot and calls pump again.
    if (this.sent === due && this.nextTimer === null) {
      this.nextTimer = setTimeout(
        () => {
          this.nextTimer = null;
          this.pump();
        },
        Math.max(0, this.dueMs(due) - now),
      );
    }
  }

  private send(c: Connection, dueMs: number, now: number): void {
    const request = this.sent++ % this.wire.length;
    c.inFlight.push({ request, dueMs, sentMs: now });
    c.socket?.write(this.wire[request] as Buffer);
  }

  private open(c: Connection): void {
    const socket = connect(this.host.port, this.host.hostname);
    c.socket = socket;
    c.connected = false;
    c.chunks = [];
    c.buffered = 0;
    c.need = 0;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      c.connected = true;
      this.pump(c);
    });
    socket.on('data', (chunk: Buffer) => this.onData(c, chunk));
    socket.on('error', () => {});
    socket.on('close', (hadError) => {
      if (c.socket !== socket || this.stopped) return;
      // Requests lost with the connection count as errors; a server closing an idle connection (Connection: close) is not one.
      const lost = c.inFlight.length;
      if (hadError || lost > 0) this.errors += Math.max(1, lost);
      c.inFlight = [];
      this.open(c);
    });
  }

  private onData(c: Connection, chunk: Buffer): void {
    if (this.stopped) return;
    this.bytes += chunk.length;
    c.chunks.push(chunk);
    c.buffered += chunk.length;
    // A large body arrives in many chunks: join them once it can be whole, not at every chunk.
    if (c.buffered < c.need) return;
    let buffer = c.chunks.length === 1 ? chunk : Buffer.concat(c.chunks, c.buffered);
    c.need = 0;
    for (;;) {
      const head = c.inFlight[0];
      if (!head) break;
      let parsed: ReturnType<typeof parseResponse>;
      try {
        parsed = parseResponse(buffer, this.noBody[head.request]);
      } catch {
        // An unparseable answer: count it and start the connection afresh.
        this.errors++;
        c.inFlight = [];
        this.reopen(c);
        return;
      }
      if (!parsed) {
        c.need = bytesNeeded(buffer);
        break;
      }
      buffer = buffer.subarray(parsed.consumed);
      c.inFlight.shift();
      this.record(head, parsed.response.status, performance.now());
    }
    c.chunks = buffer.length > 0 ? [buffer] : [];
    c.buffered = buffer.length;
    if (this.job.newConnectionPerRequest && c.inFlight.length === 0) this.reopen(c);
    this.pump(c);
  }

  private record(done: InFlight, status: number, now: number): void {
    const us = (now - done.dueMs) * 1000;
    this.requests++;
    if (status < 200 || status > 299) this.non2xx++;
    recordUs(this.all, us);
    const name = this.job.requests[done.request]?.group;
    if (name) {
      const group = this.groups.get(name) ?? { histogram: latencyHistogram(), requests: 0 };
      this.groups.set(name, group);
      group.requests++;
      recordUs(group.histogram, us);
    }
  }

  /** Drop a connection on purpose (timeout, bad answer, one request per connection) and open a new one. */
  private reopen(c: Connection): void {
    const old = c.socket;
    c.socket = null;
    old?.destroy();
    this.open(c);
  }

  private checkTimeouts(): void {
    const limit = performance.now() - this.job.timeoutSec * 1000;
    for (const c of this.connections) {
      const oldest = c.inFlight[0];
      if (oldest && oldest.sentMs < limit) {
        this.timeouts += c.inFlight.length;
        c.inFlight = [];
        this.reopen(c);
      }
    }
    this.pump();
  }

  private result(now: number, cpu: NodeJS.CpuUsage): LoadResult {
    const open = this.job.rate !== undefined;
    const queued = open ? Math.max(0, this.dueBy(now) - this.sent) : 0;
    const waiting = this.connections.flatMap((c) => c.inFlight);
    // The oldest unanswered request: the first still queued here, or the oldest in flight.
    let oldestDue = queued > 0 ? this.dueMs(this.sent) : Infinity;
    for (const w of waiting) oldestDue = Math.min(oldestDue, w.dueMs);
    return {
      durationSec: (now - this.startMs) / 1000,
      requests: this.requests,
      bytes: this.bytes,
      latencyUs: summarizeLatency(this.all),
      ...(this.groups.size
        ? {
            groups: Object.fromEntries(
              [...this.groups].map(([name, g]) => [
                name,
                { requests: g.requests, latencyUs: summarizeLatency(g.histogram) },
              ]),
            ),
          }
        : {}),
      errors: this.errors,
      timeouts: this.timeouts,
      non2xx: this.non2xx,
      unanswered: queued + waiting.length,
      oldestUnansweredUs: Number.isFinite(oldestDue) ? (now - oldestDue) * 1000 : 0,
      cpuSec: (cpu.user + cpu.system) / 1e6,
      notes: [],
    };
  }
}

/** Bytes a partly received response needs in all, when its head is there and gives a Content-Length; else 0. */
function bytesNeeded(data: Buffer): number {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd === -1) return 0;
  const head = data.subarray(0, headEnd).toString('latin1');
  // Chunked framing wins over a Content-Length (RFC 9112 §6.3): then the size is not known ahead.
  if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) return 0;
  const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
  return length ? headEnd + 4 + Number(length[1]) : 0;
}

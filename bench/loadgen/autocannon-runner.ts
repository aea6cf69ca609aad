/**
 * The autocannon load generator's own process: it receives jobs over IPC, runs
 * each with autocannon's programmatic API and sends back what it measured. It
 * runs apart from the harness (and pinned apart from the server) so that the
 * load generator's CPU is its own and can be measured.
 *
 * autocannon records latency in whole milliseconds; here every response time is
 * recorded with microsecond resolution into our own HDR histogram instead.
 */
import autocannon from 'autocannon';
import type { Histogram } from 'hdr-histogram-js';
import { latencyHistogram, recordUs, summarizeLatency } from './latency.ts';
import type { LoadJob, LoadResult } from './types.ts';
import { serveJobs } from './runner-process.ts';

/** The part of autocannon's per-connection client this runner hooks into. */
interface ClientInternals {
  pipelinedRequests: {
    terminateRequest(): CompletedRequest | undefined;
    addBody(data: unknown): void;
    toArray(): { startTime: [number, number] }[];
  };
  destroy(): void;
}

interface CompletedRequest {
  req: { group?: string } | undefined;
  bytes: number;
  duration: number;
  /** The parsed head: status, and the raw header list (name, value, name, value, ...). */
  headers: { statusCode?: number; headers?: string[] };
}

/** The `name=value` of a raw header list's first Set-Cookie, or undefined. */
function cookieOf(raw: string[] | undefined): string | undefined {
  for (let i = 0; raw && i + 1 < raw.length; i += 2)
    if (raw[i]?.toLowerCase() === 'set-cookie') return raw[i + 1]?.split(';')[0]?.trim();
  return undefined;
}

let running: autocannon.Instance | null = null;

function runJob(job: LoadJob): Promise<LoadResult> {
  // Its overallRate caps each connection per second and times from the send: not an open loop (the options refuse --rate with autocannon).
  if (job.rate !== undefined)
    throw new Error('autocannon runs closed loop only: a job with a rate needs the open-loop generator');
  if (job.cookieJar && (job.requests.length !== 1 || job.pipelining > 1))
    throw new Error('a cookie jar per connection takes one request in the cycle and no pipelining');
  const all = latencyHistogram();
  const groups = new Map<string, { histogram: Histogram; requests: number }>();
  let requests = 0;
  let bytes = 0;
  let non2xx = 0;
  let unanswered = 0;
  let oldestUnansweredMs = 0;

  // Every completed response passes through the client's queue of pending
  // requests, so that is where it is recorded: autocannon's public 'response'
  // event is skipped when `reconnectRate` closes the connection (the `close`
  // scenario) and does not say which request of the cycle answered.
  // The session scenario: one request in the cycle, its Cookie header set from the connection's last answer.
  const baseHeaders = job.requests[0]?.headers ?? {};
  const setupClient = (client: unknown): void => {
    const jar = job.cookieJar
      ? (raw: string[] | undefined) => {
          const cookie = cookieOf(raw);
          if (cookie)
            (client as { setHeaders(h: Record<string, string>): void }).setHeaders({ ...baseHeaders, cookie });
        }
      : undefined;
    const queue = (client as ClientInternals).pipelinedRequests;
    if (typeof queue?.terminateRequest !== 'function')
      throw new Error('this autocannon version has no per-request queue to record from');
    const terminate = queue.terminateRequest.bind(queue);
    queue.terminateRequest = () => {
      const done = terminate();
      if (done) {
        const us = done.duration * 1000;
        requests++;
        bytes += done.bytes;
        const status = done.headers.statusCode ?? 0;
        if (status < 200 || status > 299) non2xx++;
        jar?.(done.headers.headers);
        recordUs(all, us);
        const name = done.req?.group;
        if (name) {
          const group = groups.get(name) ?? { histogram: latencyHistogram(), requests: 0 };
          groups.set(name, group);
          group.requests++;
          recordUs(group.histogram, us);
        }
      }
      return done;
    };
    // autocannon keeps every response body as a growing string for checks this
    // runner does not use; on 1 MiB responses that copying, not the server,
    // would be the limit. Answers were checked before timing.
    queue.addBody = () => {};
    // At the end autocannon destroys each client and forgets what it was still
    // waiting for; count those requests first: they are the starved ones.
    const internals = client as ClientInternals;
    const destroy = internals.destroy.bind(internals);
    internals.destroy = () => {
      for (const pending of queue.toArray()) {
        const [sec, ns] = process.hrtime(pending.startTime);
        unanswered++;
        oldestUnansweredMs = Math.max(oldestUnansweredMs, sec * 1e3 + ns / 1e6);
      }
      destroy();
    };
  };

  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    running = autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.durationSec,
        pipelining: job.pipelining,
        timeout: job.timeoutSec,
        // Stop is checked once per sample interval; 100 ms keeps the window close to the asked duration.
        sampleInt: 100,
        ...(job.newConnectionPerRequest ? { reconnectRate: 1 } : {}),
        requests: job.requests.map((r) => ({
          method: r.method,
          path: r.path,
          headers: r.headers ?? {},
          body: r.body,
          group: r.group,
        })) as autocannon.Request[],
        setupClient: setupClient as autocannon.Options['setupClient'],
      },
      (error, result) => {
        running = null;
        if (error) return reject(error);
        const cpu = process.cpuUsage(cpuBefore);
        resolve({
          durationSec: (performance.now() - started) / 1000,
          requests,
          bytes,
          latencyUs: summarizeLatency(all),
          ...(groups.size
            ? {
                groups: Object.fromEntries(
                  [...groups].map(([name, g]) => [
                    name,
                    { requests: g.requests, latencyUs: summarizeLatency(g.histogram) },
                  ]),
                ),
              }
            : {}),
          // autocannon counts a timeout as an error too; the results keep them apart.
          errors: Math.max(0, result.errors - result.timeouts),
          timeouts: result.timeouts,
          non2xx,
          unanswered,
          oldestUnansweredUs: oldestUnansweredMs * 1000,
          cpuSec: (cpu.user + cpu.system) / 1e6,
          notes: [],
        });
      },
    );
  });
}

serveJobs(runJob, () => running?.stop());

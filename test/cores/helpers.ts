/**
 * What the core tests share: start a registered server in this process on a
 * free port, and talk to it over raw sockets when a real client would not send
 * (or would hide) the bytes under test.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDefaultSite } from '../../servers/app/site.ts';
import type { CoreOptions, RunningServer } from '../../servers/cores/types.ts';
import { serverDefaults } from '../../servers/defaults.ts';
import { findServer } from '../../servers/registry.ts';

/** The four models of the design's table. */
export const models = ['blocking', 'process-per-request', 'event-loop', 'worker-pool'] as const;
/** Every model that runs here: the four, and prefork (reuseport needs a newer Node). */
export const runnableModels = [...models, 'prefork'] as const;

export interface TestServer extends RunningServer {
  host: string;
  port: number;
  uploadDir: string;
}

/** Start `name` on 127.0.0.1, port 0, with a fresh upload folder that close() removes. */
export async function startServer(name: string, overrides: Partial<CoreOptions> = {}): Promise<TestServer> {
  const entry = findServer(name);
  if (entry === undefined) throw new Error(`no server named ${name}`);
  const uploadDir = mkdtempSync(join(tmpdir(), 'server-models-test-upload-'));
  const running = await entry.start({
    ...serverDefaults,
    root: ensureDefaultSite(),
    uploadDir,
    threads: 2,
    ...overrides,
  });
  const url = new URL(running.url);
  return {
    url: running.url,
    host: url.hostname,
    port: Number(url.port),
    uploadDir,
    async close() {
      await running.close();
      rmSync(uploadDir, { recursive: true, force: true });
    },
  };
}

/** What a raw exchange saw: every byte the server sent, and whether it closed the connection. */
export interface RawResult {
  bytes: Buffer;
  text: string;
  closedByServer: boolean;
}

/**
 * Send `input` (the chunks with `gapMs` between them) and collect what comes back
 * until the server closes the connection or `waitMs` passes without it closing.
 */
export function rawExchange(
  server: TestServer,
  input: string | Buffer | Array<string | Buffer>,
  options: { waitMs?: number; gapMs?: number } = {},
): Promise<RawResult> {
  const chunks = Array.isArray(input) ? input : [input];
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    const received: Buffer[] = [];
    let closedByServer = false;
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(received);
      resolve({ bytes, text: bytes.toString('latin1'), closedByServer });
    };
    const timer = setTimeout(finish, options.waitMs ?? 3_000);
    socket.on('data', (chunk) => received.push(chunk));
    socket.on('end', () => {
      closedByServer = true;
      finish();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A reset after the server's answer still counts as the server closing.
      if (error.code === 'ECONNRESET') {
        closedByServer = true;
        finish();
      } else {
        clearTimeout(timer);
        reject(error);
      }
    });
    socket.on('connect', async () => {
      for (const [i, chunk] of chunks.entries()) {
        if (i > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (socket.destroyed) return;
        socket.write(chunk);
      }
    });
  });
}

/** A response as split from raw bytes (Content-Length framing only, which is all the app sends for these routes). */
export interface RawResponse {
  status: number;
  headers: Map<string, string>;
  body: Buffer;
}

/** Split a byte stream into responses; `headRequests` marks which were answers to HEAD (no body). */
export function splitResponses(bytes: Buffer, headRequests: ReadonlySet<number> = new Set()): RawResponse[] {
  const responses: RawResponse[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', offset);
    if (end < 0)
      throw new Error(
        `incomplete response head at byte ${offset}: ${JSON.stringify(bytes.subarray(offset, offset + 80).toString('latin1'))}`,
      );
    const [statusLine, ...lines] = bytes.subarray(offset, end).toString('latin1').split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? '')?.[1]);
    const headers = new Map<string, string>();
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
    }
    const length =
      headRequests.has(responses.length) || status === 204 || status === 304
        ? 0
        : Number(headers.get('content-length') ?? 0);
    responses.push({ status, headers, body: bytes.subarray(end + 4, end + 4 + length) });
    offset = end + 4 + length;
  }
  return responses;
}

/** One request's `X-Served-By: <pid>/<threadId>`, parsed. */
export function servedBy(header: string | null | undefined): { pid: number; threadId: number } {
  const match = /^(\d+)\/(\d+)$/.exec(header ?? '');
  if (!match) throw new Error(`no X-Served-By header (got ${JSON.stringify(header)})`);
  return { pid: Number(match[1]), threadId: Number(match[2]) };
}

/** Whether a process with this id exists (and is not a zombie awaiting its parent). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A response as node:http's client read it. */
export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One request on its own connection, with node:http's client (llhttp: a parser
 * that is not ours). No connection pool: a pooled keep-alive connection would
 * hold the blocking core for its whole idle timeout.
 */
export function httpRequest(
  server: TestServer,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: Uint8Array | string; timeoutMs?: number } = {},
): Promise<ClientResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: server.host, port: server.port, path, method: init.method ?? 'GET', headers: init.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (init.timeoutMs !== undefined)
      req.setTimeout(init.timeoutMs, () => req.destroy(new Error(`no answer to ${path} within ${init.timeoutMs} ms`)));
    req.end(init.body);
  });
}

/** Child processes of this process whose command line contains `marker`. */
export function childrenOf(marker = ''): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(marker))
        found.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/**
 * process-per-request: the parent's event loop accepts and parses; every
 * request is handed to a brand-new OS process, which runs the handler with
 * blocking I/O, writes its one response and exits, as a web server runs a CGI
 * program. The child is plain JavaScript with a small, defined environment, so
 * the figures show what a process costs, not a TypeScript loader. At most
 * `maxChildren` run at once; a request over the cap waits in the parent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { AppConfig } from '../app/config.ts';
import { errorResponse } from '../protocol/serializer.ts';
import { getHeader, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import { bundleEntry } from './bundle.ts';
import { Connections } from './connection.ts';
import { decodeResponse, encodeFrame, type RequestFrame } from './process-per-request/framing.ts';
import { writeCodeCache } from './process-per-request/code-cache.ts';
import { childCommand } from './process-per-request/parent-death.ts';
import { appConfigOf, connectionSettingsOf, listen, stopListening } from './setup.ts';
import type { CoreOptions, RunningServer, ServerCore } from './types.ts';

const childEntry = fileURLToPath(new URL('./process-per-request/child.ts', import.meta.url));
const launcherEntry = fileURLToPath(new URL('./process-per-request/child-launcher.ts', import.meta.url));

export const processPerRequestCore: ServerCore = {
  name: 'process-per-request',
  summary: 'a brand-new OS process runs each request (CGI-style) and exits after its response',
  async start(options: CoreOptions): Promise<RunningServer> {
    const bundled = { mainThreadOnly: true, minify: true };
    const childFile = await bundleEntry(childEntry, 'process-per-request-child', 'cjs', bundled);
    const launcherFile = await bundleEntry(launcherEntry, 'process-per-request-child-launcher', 'cjs', bundled);
    // Every child loads its code from V8's code cache rather than parse the bundle (code-cache.ts).
    writeCodeCache(childFile);
    const child = [launcherFile, childFile];
    const config = appConfigOf(options);
    const children = new Set<ChildProcess>();
    const slots = new Slots(options.maxChildren);
    let port = '';
    // The model: a new process for this one request, once one of the slots is free. A client that
    // left while its request waited for a slot costs no process (its answer is never sent).
    const dispatch = (request: HttpRequest, connected?: () => boolean): Promise<HttpResponse> =>
      slots.run(() =>
        connected?.() === false
          ? Promise.resolve(errorResponse(503))
          : runChild(child, request, config, port, children),
      );
    const connections = new Connections(dispatch, connectionSettingsOf(options));
    const server = createServer((socket) => connections.serve(socket));
    const url = await listen(server, options);
    port = new URL(url).port;
    return {
      url,
      async close() {
        await Promise.all([stopListening(server), connections.drain(options.drainTimeoutMs)]);
        // Requests still waiting for a slot belong to connections the drain cut: start no child for them.
        slots.close();
        // Only children of connections cut by the drain timeout can be left.
        await Promise.all(
          [...children].map(
            (child) =>
              new Promise((resolve) => {
                child.kill('SIGKILL');
                child.once('close', resolve);
              }),
          ),
        );
      },
    };
  },
};

/** Start one child for one request; resolve with its response, or 502 when it fails. */
function runChild(
  program: string[],
  request: HttpRequest,
  config: AppConfig,
  port: string,
  children: Set<ChildProcess>,
): Promise<HttpResponse> {
  return new Promise((resolve) => {
    // A fresh `node` for this request, which the kernel kills if the server dies first.
    const [command, args] = childCommand(program);
    const child = spawn(command, args, {
      env: cgiEnvironment(request, config, port),
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.add(child);
    const out: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
    // A child that dies before reading its request closes the pipe under us: the exit code tells.
    child.stdin!.on('error', () => {});
    child.on('error', () => {}); // spawn failure: 'close' follows with a null code
    child.on('close', (code, signal) => {
      children.delete(child);
      const response = code === 0 ? decodeResponse(Buffer.concat(out)) : undefined;
      if (response !== undefined) return resolve(response);
      process.emitWarning(`process-per-request child ${child.pid ?? '?'} failed (${signal ?? `exit code ${code}`})`);
      resolve(errorResponse(502));
    });
    const { body, ...head } = request;
    child.stdin!.end(encodeFrame({ request: head, config } satisfies RequestFrame, body));
  });
}

/**
 * The child's whole environment, as a CGI program gets it (RFC 3875), plus
 * nothing else: in particular not NODE_EXTRA_CA_CERTS (it loads certificates at
 * every start: docs/models/process-per-request.md) nor NODE_OPTIONS, which
 * would change what every child pays.
 */
function cgiEnvironment(request: HttpRequest, config: AppConfig, port: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'server-models',
    SERVER_PROTOCOL: `HTTP/${request.versionMajor}.${request.versionMinor}`,
    SERVER_PORT: port,
    REQUEST_METHOD: request.method,
    SCRIPT_NAME: '',
    PATH_INFO: request.path,
    QUERY_STRING: request.query,
    CONTENT_LENGTH: request.body.length > 0 ? String(request.body.length) : '',
    CONTENT_TYPE: getHeader(request.headers, 'content-type') ?? '',
    DOCUMENT_ROOT: config.root,
  };
}

/** A counting semaphore: `run` starts a task when fewer than `size` run, else queues it (first come, first served). */
class Slots {
  #running = 0;
  readonly #waiting: Array<() => void> = [];
  #closed = false;

  constructor(readonly size: number) {}

  async run(task: () => Promise<HttpResponse>): Promise<HttpResponse> {
    if (this.#running >= this.size) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.#closed) return errorResponse(503);
    this.#running++;
    try {
      return await task();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  /** Let every waiting task go without running it (they answer 503). */
  close(): void {
    this.#closed = true;
    for (const resolve of this.#waiting.splice(0)) resolve();
  }
}

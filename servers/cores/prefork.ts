/**
 * prefork: a fixed pool of processes (node:cluster), each an event loop,
 * sharing one listening socket: how Node servers are run in production. A
 * connection belongs to one process; the processes run in parallel, so CPU
 * work in one stalls only that process's connections.
 *
 * Node's default scheduling on Linux is kept: the primary accepts and hands
 * connections round-robin to the workers (cluster.SCHED_RR), which spreads them
 * more evenly than letting every worker race for accept().
 */
import cluster, { type Worker } from 'node:cluster';
import { createServer } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { bundleEntry } from './bundle.ts';
import { listen, stopListening } from './setup.ts';
import { isPreforkMessage, optionsVariable } from './prefork/messages.ts';
import type { CoreOptions, RunningServer, ServerCore } from './types.ts';

const workerEntry = fileURLToPath(new URL('./prefork/worker.ts', import.meta.url));

export const preforkCore: ServerCore = {
  name: 'prefork',
  summary: 'a fixed pool of event-loop processes (node:cluster) sharing one listening socket',
  async start(options: CoreOptions): Promise<RunningServer> {
    const size = options.threads ?? availableParallelism();
    // Plain JavaScript, like the other cores' workers: no tsx loader in each process.
    cluster.setupPrimary({ exec: await bundleEntry(workerEntry, 'prefork-worker'), execArgv: [], silent: false });
    let closing = false;
    const workers = new Set<Worker>();

    // The primary keys the listening sockets it shares by address and port, so two prefork
    // servers in one process asking for port 0 would share one socket: pick the port here.
    const port = options.port === 0 ? await freePort(options.host) : options.port;
    const fork = (): Promise<string> => {
      const worker = cluster.fork({ [optionsVariable]: JSON.stringify({ ...options, port }) });
      workers.add(worker);
      worker.on('exit', () => {
        workers.delete(worker);
        // A crashed worker is replaced: the pool keeps its size until close().
        if (!closing)
          void fork().catch((error: Error) =>
            process.emitWarning(`prefork: cannot replace a worker: ${error.message}`),
          );
      });
      return new Promise((resolve, reject) => {
        worker.on('message', (message: unknown) => {
          if (isPreforkMessage(message, 'listening')) resolve((message as { url: string }).url);
        });
        worker.once('exit', (code) => reject(new Error(`prefork worker exited with code ${code} before listening`)));
      });
    };

    let url: string;
    try {
      [url] = (await Promise.all(Array.from({ length: size }, fork))) as [string];
    } catch (error) {
      closing = true;
      for (const worker of workers) worker.kill();
      throw error;
    }
    return {
      url,
      async close() {
        closing = true;
        await Promise.all(
          [...workers].map((worker) => {
            const exited = new Promise((resolve) => worker.process.once('close', resolve));
            worker.send({ type: 'drain' });
            return exited;
          }),
        );
        // The child's process handle is released on the loop's next turn, after 'close'.
        await new Promise((resolve) => setImmediate(resolve));
      },
    };
  },
};

/** A port free on `host` right now (the OS picks it; the workers bind it a moment later). */
async function freePort(host: string): Promise<number> {
  const probe = createServer();
  const url = await listen(probe, { host, port: 0 });
  await stopListening(probe);
  return Number(new URL(url).port);
}

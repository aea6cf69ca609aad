/**
 * reuseport: one event loop per worker thread, each with its own listening
 * socket on the same port (SO_REUSEPORT): the kernel spreads incoming
 * connections over the threads, with no process or thread in between.
 * Needs `reusePort` in net.Server.listen: Node ≥ 22.12 or ≥ 23.1.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { bundleEntry } from './bundle.ts';
import type { CoreOptions, RunningServer, ServerCore } from './types.ts';

const threadEntry = fileURLToPath(new URL('./reuseport/worker.ts', import.meta.url));

/** Why this Node cannot run the model, or undefined when it can. */
function unavailableReason(): string | undefined {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const supported = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
  return supported
    ? undefined
    : `net.Server.listen({ reusePort }) needs Node >= 22.12 or >= 23.1; this is Node ${process.versions.node}`;
}

export const reuseportCore: ServerCore = {
  name: 'reuseport',
  summary: 'one event loop per worker thread, each listening on the same port with SO_REUSEPORT',
  unavailable: unavailableReason(),
  async start(options: CoreOptions): Promise<RunningServer> {
    const reason = unavailableReason();
    if (reason !== undefined) throw new Error(`reuseport is unavailable: ${reason}`);
    const file = await bundleEntry(threadEntry, 'reuseport-thread');
    const threads: Worker[] = [];
    const startThread = (port: number): Promise<string> => {
      const thread = new Worker(file, { workerData: { ...options, port } });
      threads.push(thread);
      return new Promise((resolve, reject) => {
        thread.once('message', (message: { url: string }) => resolve(message.url));
        thread.once('error', reject);
        thread.once('exit', (code) => reject(new Error(`reuseport thread exited with code ${code} before listening`)));
      });
    };
    // The first thread binds the port asked for (0 = any free one); the others join it.
    const url = await startThread(options.port);
    const port = Number(new URL(url).port);
    await Promise.all(Array.from({ length: (options.threads ?? availableParallelism()) - 1 }, () => startThread(port)));
    return {
      url,
      async close() {
        await Promise.all(
          threads.map((thread) => {
            const exited = new Promise((resolve) => thread.once('exit', resolve));
            thread.postMessage('drain');
            return exited;
          }),
        );
      },
    };
  },
};

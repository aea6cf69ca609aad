/**
 * One thread of the reuseport model: an event-loop core with its own listening
 * socket on the shared port (SO_REUSEPORT). Bundled to plain JavaScript.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { eventLoopCore } from '../event-loop.ts';
import type { CoreOptions } from '../types.ts';

const server = await eventLoopCore.start({ ...(workerData as CoreOptions), reusePort: true });
parentPort!.on('message', (message: unknown) => {
  if (message === 'drain') void server.close().then(() => parentPort!.close());
});
parentPort!.postMessage({ url: server.url });

/**
 * A worker of the worker-pool core: piscina hands it one parsed request at a
 * time; it runs the application with asynchronous I/O and returns the response.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { handleRequest } from '../../app/app.ts';
import { asyncIO } from '../../app/async-io.ts';
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';
import type { WorkerPoolData, WorkerReady } from './messages.ts';

const { config } = workerData as WorkerPoolData;

export default function handle(request: HttpRequest): Promise<HttpResponse> {
  return handleRequest(request, asyncIO, config);
}

// Piscina forwards messages that are not its own to the pool's 'message' event.
parentPort?.postMessage({ type: 'worker-ready', threadId } satisfies WorkerReady);

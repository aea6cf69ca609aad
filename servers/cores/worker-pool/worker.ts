/**
 * A worker of the worker-pool core: piscina hands it one parsed request at a
 * time; it runs the application with asynchronous I/O and returns the response.
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { handleRequest } from '../../app/app.ts';
import { asyncIO } from '../../app/async-io.ts';
import { poolDatabase } from '../../app/db/pool-database.ts';
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';
import type { WorkerPoolData, WorkerReady } from './messages.ts';

const { config } = workerData as WorkerPoolData;
// A pool of database connections per worker thread: the worker's tasks share it.
const database = config.database && poolDatabase(config.database);
const io = database ? { ...asyncIO, database } : asyncIO;

export default function handle(request: HttpRequest): Promise<HttpResponse> {
  return handleRequest(request, io, config);
}

// Piscina forwards messages that are not its own to the pool's 'message' event.
parentPort?.postMessage({ type: 'worker-ready', threadId } satisfies WorkerReady);

/**
 * A worker of the worker-pool core: piscina hands it a batch of parsed requests
 * (one task, one message: see batches.ts), it runs the application with
 * asynchronous I/O for each, and returns their responses as the task's result.
 * An answer that is not ready by the end of the batch's first turn (a backend
 * wait, a file read) goes back on its own as soon as it is, on the worker's
 * answers port, so that a slow request does not hold back the rest of its batch.
 */
import { MessageChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import { handleRequest } from '../../app/app.ts';
import { asyncIO } from '../../app/async-io.ts';
import { poolDatabase } from '../../app/db/pool-database.ts';
import { errorResponse } from '../../protocol/serializer.ts';
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';
import {
  type BatchAnswers,
  decodeRequests,
  type LateAnswers,
  type RequestBatch,
  type WorkerPoolData,
  type WorkerReady,
} from './messages.ts';

const { config } = workerData as WorkerPoolData;
// A pool of database connections per worker thread: the worker's tasks share it.
const database = config.database && poolDatabase(config.database);
const io = database ? { ...asyncIO, database } : asyncIO;

const { port1: answers, port2: lateAnswers } = new MessageChannel();
lateAnswers.unref();

/** One request: the application, with I/O that waits by timers inside this worker. */
export function handle(request: HttpRequest): Promise<HttpResponse> {
  return handleRequest(request, io, config);
}

/** The task for a batch of requests, each answered by `handleOne`. */
export function answerBatches(handleOne: (request: HttpRequest) => Promise<HttpResponse>) {
  return (batch: RequestBatch): Promise<BatchAnswers> =>
    new Promise((resolve) => {
      const id = batch.id;
      const requests = decodeRequests(batch);
      const answered: BatchAnswers = new Array(requests.length).fill(null);
      let left = requests.length;
      let firstTurn = true;
      const settle = (index: number, response: HttpResponse): void => {
        if (--left === 0 || firstTurn) answered[index] = sendable(response);
        else
          lateAnswers.postMessage({
            batch: id,
            indexes: [index],
            responses: [sendable(response)],
          } satisfies LateAnswers);
        if (left === 0) resolve(answered);
      };
      for (let index = 0; index < requests.length; index++) {
        handleOne(requests[index]!).then(
          (response) => settle(index, response),
          (error: unknown) => settle(index, failed(error)),
        );
      }
      setImmediate(() => {
        firstTurn = false;
        if (left > 0) sendReady(id, answered);
      });
    });
}

export default answerBatches(handle);

/** The first turn is over and some handlers still wait: send the answers that are ready now. */
function sendReady(batch: number, answered: BatchAnswers): void {
  const indexes: number[] = [];
  const responses: HttpResponse[] = [];
  for (let index = 0; index < answered.length; index++) {
    const response = answered[index];
    if (response === null || response === undefined) continue;
    indexes.push(index);
    responses.push(response);
    answered[index] = null;
  }
  if (indexes.length > 0) lateAnswers.postMessage({ batch, indexes, responses } satisfies LateAnswers);
}

/**
 * The response as it is to cross to the main thread: a body that is a view into a larger buffer
 * (a constant reply cut from Buffer's 8 KiB pool, a range of a cached file) is copied to its own,
 * since a clone copies a view's whole buffer.
 */
function sendable(response: HttpResponse): HttpResponse {
  const body = response.body;
  if (typeof body === 'string' || body.byteLength === body.buffer.byteLength) return response;
  return { status: response.status, headers: response.headers, body: new Uint8Array(body) };
}

function failed(error: unknown): HttpResponse {
  process.emitWarning(`worker-pool handler failed: ${(error as Error)?.message ?? String(error)}`);
  return errorResponse(500);
}

// Piscina forwards messages that are not its own to the pool's 'message' event.
parentPort?.postMessage({ type: 'worker-ready', threadId, answers } satisfies WorkerReady, [answers]);

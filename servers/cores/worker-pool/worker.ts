/**
 * A worker of the worker-pool core: piscina hands it a batch of parsed requests
 * (one task, one message: see batches.ts), it runs the application with
 * asynchronous I/O for each, and returns their responses as the task's result.
 * An answer that is not ready by the end of the batch's first turn (a backend
 * wait, a file read) goes back on its own as soon as it is, on the worker's
 * answers port, so that a slow request does not hold back the rest of its batch.
 */
import { MessageChannel, parentPort, threadId, workerData } from 'node:worker_threads';
import { answerAtOnce, handleRequest } from '../../app/app.ts';
import { asyncIO } from '../../app/async-io.ts';
import { poolDatabase } from '../../app/db/pool-database.ts';
import { errorResponse } from '../../protocol/serializer.ts';
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';
import {
  type BatchAnswers,
  decodeRequests,
  encodeResponses,
  type LateAnswers,
  type RequestBatch,
  SentConstants,
  type WorkerPoolData,
  type WorkerReady,
} from './messages.ts';

const { config } = workerData as WorkerPoolData;
// A pool of database connections per worker thread: the worker's tasks share it.
const database = config.database && poolDatabase(config.database);
const io = database ? { ...asyncIO, database } : asyncIO;

const { port1: answers, port2: lateAnswers } = new MessageChannel();
lateAnswers.unref();
// The constant replies sent whole so far on each channel (the tasks' results, the late answers).
const resultConstants = new SentConstants(threadId * 512);
const lateConstants = new SentConstants(threadId * 512 + 256);

/**
 * One request: the application, with I/O that waits by timers inside this worker. A constant
 * route's answer is had at once, without a promise (as on the event loop: ../event-loop.ts).
 */
export function handle(request: HttpRequest): HttpResponse | Promise<HttpResponse> {
  return answerAtOnce(request) ?? handleRequest(request, io, config);
}

/** The task for a batch of requests, each answered by `handleOne`. */
export function answerBatches(handleOne: (request: HttpRequest) => HttpResponse | Promise<HttpResponse>) {
  return (batch: RequestBatch): Promise<BatchAnswers> =>
    new Promise((resolve) => {
      const id = batch.id;
      const requests = decodeRequests(batch);
      const answered: Array<HttpResponse | null> = new Array(requests.length).fill(null);
      let left = requests.length;
      let firstTurn = true;
      const settle = (index: number, response: HttpResponse): void => {
        if (--left === 0 || firstTurn) answered[index] = response;
        else sendLate(id, [index], [response]);
        if (left === 0) resolve(encodeResponses(answered, resultConstants));
      };
      for (let index = 0; index < requests.length; index++) {
        const answer = handleOne(requests[index]!);
        if (!(answer instanceof Promise)) settle(index, answer);
        else
          answer.then(
            (response) => settle(index, response),
            (error: unknown) => settle(index, failed(error)),
          );
      }
      if (left === 0) return;
      setImmediate(() => {
        firstTurn = false;
        if (left > 0) sendReady(id, answered);
      });
    });
}

export default answerBatches(handle);

/** The first turn is over and some handlers still wait: send the answers that are ready now. */
function sendReady(batch: number, answered: Array<HttpResponse | null>): void {
  const indexes: number[] = [];
  const responses: HttpResponse[] = [];
  for (let index = 0; index < answered.length; index++) {
    const response = answered[index];
    if (response === null || response === undefined) continue;
    indexes.push(index);
    responses.push(response);
    answered[index] = null;
  }
  if (indexes.length > 0) sendLate(batch, indexes, responses);
}

/** Answers of `batch` after its first turn, encoded as its task's result is (`LateAnswers`). */
function sendLate(batch: number, indexes: number[], responses: HttpResponse[]): void {
  lateAnswers.postMessage({
    batch,
    indexes,
    responses: encodeResponses(responses, lateConstants),
  } satisfies LateAnswers);
}

function failed(error: unknown): HttpResponse {
  process.emitWarning(`worker-pool handler failed: ${(error as Error)?.message ?? String(error)}`);
  return errorResponse(500);
}

// Piscina forwards messages that are not its own to the pool's 'message' event.
parentPort?.postMessage({ type: 'worker-ready', threadId, answers } satisfies WorkerReady, [answers]);

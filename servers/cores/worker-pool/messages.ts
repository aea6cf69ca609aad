/** The messages between the worker-pool core and its workers, typed in one place. */
import type { MessagePort } from 'node:worker_threads';
import type { AppConfig } from '../../app/config.ts';
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';

/** `workerData` of every worker. */
export interface WorkerPoolData {
  config: AppConfig;
}

/**
 * Posted by a worker once its module has loaded: it is ready for tasks. `answers` is the port
 * on which it posts the answers of a batch that come after the batch's first turn (`LateAnswers`).
 */
export interface WorkerReady {
  type: 'worker-ready';
  threadId: number;
  answers: MessagePort;
}

export function isWorkerReady(message: unknown): message is WorkerReady {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'worker-ready';
}

/**
 * One piscina task: the requests the main thread parsed in one turn of its loop, sent in one
 * message so that a batch costs one wake-up of the worker rather than one a request.
 */
export interface RequestBatch {
  /** Names the batch in `LateAnswers`. */
  id: number;
  requests: HttpRequest[];
}

/**
 * The task's result, posted when the batch's last handler settles: the answer to each request,
 * in order, null for one already sent in a `LateAnswers`. A body in a file crosses as its
 * descriptor (`FileResponse`, ../../app/file-body.ts), not its bytes: the main thread streams it.
 */
export type BatchAnswers = Array<HttpResponse | null>;

/**
 * Answers that settled after the turn the batch arrived in (a backend wait, a file read), sent
 * as they come so that a slow request does not hold back the others of its batch.
 */
export interface LateAnswers {
  batch: number;
  indexes: number[];
  responses: HttpResponse[];
}

/** The messages between the worker-pool core and its workers, typed in one place. */
import type { AppConfig } from '../../app/config.ts';

/** `workerData` of every worker. */
export interface WorkerPoolData {
  config: AppConfig;
}

/** Posted by a worker once its module has loaded: it is ready for tasks. */
export interface WorkerReady {
  type: 'worker-ready';
  threadId: number;
}

export function isWorkerReady(message: unknown): message is WorkerReady {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'worker-ready';
}

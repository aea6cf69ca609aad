/**
 * The database for the blocking model: a query that blocks the thread, as a
 * synchronous client (libpq's PQexec) does. The query itself runs on a worker
 * thread holding one connection; the serving thread posts it and sleeps in
 * `Atomics.wait` until the answer is there, so nothing else runs on the serving
 * thread meanwhile: no other connection is read, no timer fires.
 */
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { Database } from '../io.ts';
import type { BlockingAnswer, BlockingCall, BlockingWorkerData } from './blocking-messages.ts';
import type { DatabaseSettings } from './settings.ts';
import type { ClosableDatabase } from './sql-database.ts';

/** Longest a query may block the thread before it fails (the database server is gone). */
const queryTimeoutMs = 30_000;

/** The worker's module, for the core to bundle to plain JavaScript (a worker thread has no TypeScript loader). */
export const blockingWorkerEntry = fileURLToPath(new URL('./blocking-worker.ts', import.meta.url));

/** Start the worker from `workerFile` (blockingWorkerEntry, bundled) and resolve once it has loaded. */
export async function blockingDatabase(settings: DatabaseSettings, workerFile: string): Promise<ClosableDatabase> {
  const { port1: port, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(workerFile, {
    workerData: { settings, port: port2, signal } satisfies BlockingWorkerData,
    transferList: [port2],
    execArgv: [],
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`database worker exited with code ${code} at start`)));
  });

  const call = (operation: BlockingCall['operation'], args: unknown[] = []): unknown => {
    Atomics.store(signal, 0, 0);
    port.postMessage({ operation, args } satisfies BlockingCall);
    // The model's one line: the thread sleeps until the database has answered.
    if (Atomics.wait(signal, 0, 0, queryTimeoutMs) === 'timed-out')
      throw new Error(`database: no answer in ${queryTimeoutMs} ms`);
    const answer = receiveMessageOnPort(port)?.message as BlockingAnswer | undefined;
    if (answer === undefined) throw new Error('database: woken without an answer');
    if (!answer.ok) throw new Error(answer.error);
    return answer.value;
  };
  // Each operation has run when it returns: the promise is already settled, as syncIO's are.
  const settled = <T>(operation: BlockingCall['operation'], args: unknown[]): Promise<T> => {
    try {
      return Promise.resolve(call(operation, args) as T);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  const database: Database = {
    worlds: (ids) => settled('worlds', [ids]),
    cachedWorlds: (ids) => settled('cachedWorlds', [ids]),
    fortunes: () => settled('fortunes', []),
    saveWorlds: (rows) => settled('saveWorlds', [rows]),
  };
  return {
    ...database,
    async close() {
      try {
        call('close');
      } finally {
        port.close();
        await worker.terminate();
      }
    },
  };
}

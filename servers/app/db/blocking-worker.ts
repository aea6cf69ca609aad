/**
 * The worker thread behind the blocking model's database: it holds one
 * connection, runs each call it is posted, posts the answer and wakes the
 * serving thread, which sleeps in `Atomics.wait` meanwhile (blocking-database.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BlockingAnswer, BlockingCall, BlockingWorkerData } from './blocking-messages.ts';
import { connectionDatabase } from './connection-database.ts';

const { settings, port, signal } = workerData as BlockingWorkerData;
const database = connectionDatabase(settings);

port.on('message', async ({ operation, args }: BlockingCall) => {
  let answer: BlockingAnswer;
  try {
    const run = database[operation] as (...a: unknown[]) => Promise<unknown>;
    answer = { ok: true, value: await run(...args) };
  } catch (error) {
    answer = { ok: false, error: (error as Error).message };
  }
  // The answer is on the port before the sleeper wakes, so it finds it there.
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
});
// Loaded: the core may start serving.
parentPort?.postMessage('ready');

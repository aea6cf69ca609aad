/**
 * worker-pool: one event-loop thread accepts every connection and parses it;
 * each request's handler runs in a pool of worker threads (piscina), so CPU
 * work runs in parallel across workers and backend waits are asynchronous
 * inside them. The requests parsed in one turn of the loop travel to the pool
 * together (worker-pool/batches.ts), one message for many. A bound on the
 * requests the pool holds answers 503 when it is saturated.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import type { MessagePort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { errorResponse } from '../protocol/serializer.ts';
import type { HttpRequest, HttpResponse } from '../protocol/types.ts';
import { loadPiscina } from '../optional-packages.ts';
import { bundleEntry } from './bundle.ts';
import { Connections } from './connection.ts';
import { appConfigOf, connectionSettingsOf, listen, stopListening } from './setup.ts';
import type { CoreOptions, RunningServer, ServerCore } from './types.ts';
import { Batches } from './worker-pool/batches.ts';
import { type BatchAnswers, isWorkerReady, type RequestBatch, type WorkerPoolData } from './worker-pool/messages.ts';

const workerEntry = fileURLToPath(new URL('./worker-pool/worker.ts', import.meta.url));
/** How long the workers may take to load before start() gives up. */
const readyTimeoutMs = 30_000;
/**
 * Tasks (batches) a worker holds at once. More than one lets a worker take the
 * next batch while others await their backend (the model's asynchronous wait);
 * piscina gives a task to the least busy worker, so CPU work still spreads.
 * Why 16, and what the hop to a worker costs: docs/models/worker-pool.md.
 */
const tasksPerWorker = 16;

export const workerPoolCore: ServerCore = {
  name: 'worker-pool',
  summary: 'one event loop parses; handlers run in a pool of worker threads (piscina), 503 when its queue is full',
  async start(options: CoreOptions): Promise<RunningServer> {
    const threads = options.threads ?? availableParallelism();
    const maxQueue = options.maxQueue ?? threads * 64;
    // The worker is bundled to plain JavaScript rather than loaded through tsx, so that
    // the pool also runs when the server itself was not started under tsx.
    const filename = await bundleEntry(options.inject?.workerEntry ?? workerEntry, 'worker-pool-worker');
    const pool = new (loadPiscina().Piscina)<RequestBatch, BatchAnswers>({
      filename,
      // Not the parent's flags: a worker inherits `--import tsx` by default and would load it
      // for nothing (the pool would start about three times slower: docs/models/worker-pool.md).
      execArgv: [],
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.MAX_SAFE_INTEGER,
      concurrentTasksPerWorker: tasksPerWorker,
      // Workers hold several tasks, some waiting on timers: they must not sleep in Atomics.wait.
      atomics: 'async',
      workerData: { config: appConfigOf(options) } satisfies WorkerPoolData,
    });
    const batches = new Batches((batch, transferList) => pool.run(batch, { transferList }), threads, taskFailed);
    // Each worker (a replacement too) sends the port its late answers come on.
    const answerPorts = new Set<MessagePort>();
    pool.on('message', (message: unknown) => {
      if (!isWorkerReady(message)) return;
      const port = message.answers;
      port.on('message', batches.late);
      port.unref();
      answerPorts.add(port);
      port.once('close', () => answerPorts.delete(port));
    });
    await workersReady(pool, threads);

    // As many requests as the workers hold at once, and `maxQueue` waiting for one.
    const capacity = threads * tasksPerWorker + maxQueue;
    const dispatch = (request: HttpRequest): Promise<HttpResponse> =>
      batches.inFlight >= capacity ? Promise.resolve(poolBusy()) : batches.add(request);
    const connections = new Connections(dispatch, connectionSettingsOf(options));
    const server = createServer((socket) => connections.serve(socket));
    const url = await listen(server, options).catch(async (error: unknown) => {
      await pool.destroy();
      throw error;
    });
    return {
      url,
      async close() {
        await Promise.all([stopListening(server), connections.drain(options.drainTimeoutMs)]);
        await pool.destroy();
        for (const port of answerPorts) port.close();
      },
    };
  },
};

/** Resolve once every worker has announced that its module is loaded. */
function workersReady(pool: Piscina, threads: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let ready = 0;
    const onMessage = (message: unknown): void => {
      if (isWorkerReady(message) && ++ready === threads) settle();
    };
    const onError = (error: Error): void => settle(error);
    const timer = setTimeout(
      () => settle(new Error(`worker pool: ${ready} of ${threads} workers ready after ${readyTimeoutMs} ms`)),
      readyTimeoutMs,
    );
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      pool.off('message', onMessage);
      pool.off('error', onError);
      // From now on a worker error outside any task (its tasks already got their 500) is only reported.
      pool.on('error', (late: Error) => process.emitWarning(`worker-pool: ${late.message}`));
      if (error === undefined) return resolve();
      void pool.destroy();
      reject(error);
    };
    pool.on('message', onMessage);
    pool.on('error', onError);
  });
}

/** The queue is full: shed the request at once rather than let it wait for seconds. */
function poolBusy(): HttpResponse {
  const response = errorResponse(503);
  return { ...response, headers: [...response.headers, ['Retry-After', '1']] };
}

/** The handler threw or its worker died (piscina starts a replacement): this request gets a 500. */
function taskFailed(error: unknown): HttpResponse {
  process.emitWarning(`worker-pool task failed: ${(error as Error)?.message ?? String(error)}`);
  return errorResponse(500);
}

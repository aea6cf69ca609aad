/**
 * The main thread's side of the worker pool's batches. On one CPU a request
 * sent alone costs two thread wake-ups (to the worker and back), each dearer
 * than the event loop's whole answer to `/hello` (docs/models/worker-pool.md);
 * so the requests dispatched within one turn of the main loop are sent together
 * when the turn ends (`setImmediate`), as one task for each of at most `parts`
 * workers, and each request's promise is settled from its task's result or from
 * the worker's late answers (worker.ts). Bodies cross by transfer, not by copy.
 */
import type { HttpRequest, HttpResponse } from '../../protocol/types.ts';
import { movable } from './bodies.ts';
import {
  type BatchAnswers,
  decodeResponses,
  encodeRequests,
  type LateAnswers,
  type ReceivedConstants,
  type RequestBatch,
} from './messages.ts';

/** Runs one batch as a pool task; `transferList` holds the buffers it moves to the worker. */
export type RunBatch = (batch: RequestBatch, transferList: ArrayBuffer[]) => Promise<BatchAnswers>;

/** A batch sent and not yet wholly answered. */
interface OpenBatch {
  settles: Array<((response: HttpResponse) => void) | undefined>;
  left: number;
}

export class Batches {
  #requests: HttpRequest[] = [];
  #settles: Array<(response: HttpResponse) => void> = [];
  #nextId = 1;
  readonly #open = new Map<number, OpenBatch>();
  /** The workers' constant replies, each decoded once (messages.ts, `SentConstants`). */
  readonly #constants: ReceivedConstants = new Map();
  /** Requests sent or about to be, not yet answered: what the pool holds, for its admission. */
  inFlight = 0;

  /**
   * @param run sends one batch to the pool
   * @param parts the most tasks one turn's requests are split into: one per worker, so that
   *   requests that arrive together still compute in parallel
   * @param failed the answer to each request of a task that failed (its worker died)
   */
  constructor(
    private readonly run: RunBatch,
    private readonly parts: number,
    private readonly failed: (error: unknown) => HttpResponse,
  ) {
    this.late = this.late.bind(this);
    this.flush = this.flush.bind(this);
  }

  /** The response to `request`, which goes to the pool with the others of this turn. */
  add(request: HttpRequest): Promise<HttpResponse> {
    if (this.#requests.length === 0) setImmediate(this.flush);
    this.#requests.push(request);
    this.inFlight++;
    return new Promise((resolve) => this.#settles.push(resolve));
  }

  /** A worker's `LateAnswers` (its answers port's listener). */
  late(message: LateAnswers): void {
    const batch = this.#open.get(message.batch);
    if (batch === undefined) return; // its task failed meanwhile: those requests are answered
    const responses = decodeResponses(message.responses, this.#constants);
    for (let k = 0; k < message.indexes.length; k++) {
      this.#settle(message.batch, batch, message.indexes[k]!, responses[k]!);
    }
  }

  /** The turn is over: send what it dispatched. */
  flush(): void {
    const requests = this.#requests;
    const settles = this.#settles;
    this.#requests = [];
    this.#settles = [];
    const size = Math.ceil(requests.length / Math.min(this.parts, requests.length));
    for (let from = 0; from < requests.length; from += size) {
      this.#send(requests.slice(from, from + size), settles.slice(from, from + size));
    }
  }

  #send(requests: HttpRequest[], settles: Array<(response: HttpResponse) => void>): void {
    const id = this.#nextId++;
    const batch: OpenBatch = { settles, left: settles.length };
    this.#open.set(id, batch);
    const bodies: Uint8Array[] = [];
    const fields = encodeRequests(requests, bodies);
    this.run({ id, fields, bodies }, movable(bodies)).then(
      (encoded) => {
        const answers = decodeResponses(encoded, this.#constants);
        for (let index = 0; index < answers.length; index++) {
          const response = answers[index];
          if (response !== null && response !== undefined) this.#settle(id, batch, index, response);
        }
      },
      (error: unknown) => {
        for (let index = 0; index < batch.settles.length; index++) this.#settle(id, batch, index, this.failed(error));
      },
    );
  }

  #settle(id: number, batch: OpenBatch, index: number, response: HttpResponse): void {
    const settle = batch.settles[index];
    if (settle === undefined) return;
    batch.settles[index] = undefined;
    this.inFlight--;
    if (--batch.left === 0) this.#open.delete(id);
    settle(response);
  }
}

/** The messages between the worker-pool core and its workers, typed in one place. */
import type { MessagePort } from 'node:worker_threads';
import type { AppConfig } from '../../app/config.ts';
import type { FileBody, FileResponse } from '../../app/file-body.ts';
import type { HeaderList, HttpRequest, HttpResponse } from '../../protocol/types.ts';
import { packBodies, packedBodyBytes } from './bodies.ts';

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
 * message so that a batch costs one wake-up of the worker rather than one a request. The
 * requests travel as one flat array (`encodeRequests`) rather than as objects: a structured
 * clone writes and reads every object's property names, and makes the receiver build each
 * object's shape again, which cost more than the strings themselves (docs/models/worker-pool.md).
 */
export interface RequestBatch {
  /** Names the batch in `LateAnswers`. */
  id: number;
  /** The requests' fields, one after another, in the order `encodeRequests` writes them. */
  fields: Array<string | number | boolean>;
  /** The non-empty bodies, in request order (transferred, not copied: see batches.ts). */
  bodies: Uint8Array[];
}

/**
 * The requests as `RequestBatch.fields`: per request, method, target, path, query, versionMajor,
 * versionMinor, keepAlive, upgrade, whether a body follows in `bodies`, the header count and the
 * headers' names and values, then the trailer count and the trailers'.
 */
export function encodeRequests(requests: readonly HttpRequest[], bodies: Uint8Array[]): RequestBatch['fields'] {
  const fields: RequestBatch['fields'] = [];
  for (const r of requests) {
    const hasBody = r.body.byteLength > 0;
    if (hasBody) bodies.push(r.body);
    fields.push(r.method, r.target, r.path, r.query, r.versionMajor, r.versionMinor, r.keepAlive, r.upgrade, hasBody);
    pushFields(fields, r.headers);
    pushFields(fields, r.trailers);
  }
  return fields;
}

function pushFields(out: Array<string | number | boolean | FileBody | null>, list: HeaderList): void {
  out.push(list.length);
  for (const [name, value] of list) out.push(name, value);
}

const noBody = new Uint8Array(0);

/** The requests of a batch, as the parser gave them (bodies as plain Uint8Arrays). */
export function decodeRequests(batch: RequestBatch): HttpRequest[] {
  const { fields, bodies } = batch;
  const requests: HttpRequest[] = [];
  let body = 0;
  for (let k = 0; k < fields.length; ) {
    const request: HttpRequest = {
      method: fields[k] as string,
      target: fields[k + 1] as string,
      path: fields[k + 2] as string,
      query: fields[k + 3] as string,
      versionMajor: fields[k + 4] as number,
      versionMinor: fields[k + 5] as number,
      headers: [],
      trailers: [],
      body: fields[k + 8] ? bodies[body++]! : noBody,
      keepAlive: fields[k + 6] as boolean,
      upgrade: fields[k + 7] as boolean,
    };
    k = readFields(fields, k + 9, request.headers);
    k = readFields(fields, k, request.trailers);
    requests.push(request);
  }
  return requests;
}

function readFields(fields: ReadonlyArray<unknown>, k: number, into: HeaderList): number {
  const count = fields[k] as number;
  for (let f = 0; f < count; f++) into.push([fields[k + 1 + 2 * f] as string, fields[k + 2 + 2 * f] as string]);
  return k + 1 + 2 * count;
}

/**
 * A batch's answers as they cross to the main thread (`encodeResponses`): the task's result, and
 * each `LateAnswers`' too. Flat for the same reason as the requests; the small byte bodies are
 * copied into one buffer, `pack` (bodies.ts), and a body in a file crosses as its descriptor
 * (`FileBody`, ../../app/file-body.ts), not its bytes: the main thread streams it. One of the
 * application's constant replies crosses whole once, then as its id (`SentConstants`).
 */
export interface ResponseBatch {
  /** The responses' fields, one after another, in the order `encodeResponses` writes them. */
  fields: Array<string | number | boolean | FileBody | null>;
  /** The small byte bodies, one after another; none when they are all empty. */
  pack: Uint8Array | undefined;
  /** The larger byte bodies, each in a buffer of its own, in response order. */
  large: Uint8Array[];
}

/** The task's result: an answer to each request of the batch, null for one already sent late. */
export type BatchAnswers = ResponseBatch;

/**
 * Answers that settled after the turn the batch arrived in (a backend wait, a file read), sent
 * as they come so that a slow request does not hold back the others of its batch.
 */
export interface LateAnswers {
  batch: number;
  /** The requests' places in the batch, one for each of `responses`' answers. */
  indexes: number[];
  responses: ResponseBatch;
}

/** Constant replies one channel describes at most; any beyond cross whole every time. */
const maxConstants = 255;

/**
 * The application's constant replies (frozen: ../../app/responses.ts) that a worker has sent
 * whole on one channel (its tasks' results, or its late answers), each with its id. Sent again,
 * such a reply crosses as its id: the main thread keeps the one frozen copy it decoded
 * (`ReceivedConstants`), and the serializer's cached bytes for a frozen reply apply to it as
 * they do on the event loop, where the same constant comes back each time. One table per channel,
 * because the two channels' messages may arrive in either order; ids are unique per channel
 * (`base`), so that the main thread keeps one table for all workers.
 */
export class SentConstants {
  readonly #ids = new Map<HttpResponse, number>();

  /** @param base the channel's ids are `base + 1` to `base + 255` (a worker: threadId × 512, + 256) */
  constructor(private readonly base: number) {}

  /** 0: not a constant, send it whole; -id: a new one, send it whole with its id; id: send the id. */
  reference(response: HttpResponse): number {
    if (!Object.isFrozen(response) || (response as Partial<FileResponse>).file !== undefined) return 0;
    const id = this.#ids.get(response);
    if (id !== undefined) return id;
    if (this.#ids.size >= maxConstants) return 0;
    const fresh = this.base + this.#ids.size + 1;
    this.#ids.set(response, fresh);
    return -fresh;
  }
}

/** The constant replies the main thread has been sent, by id: each a frozen copy of the worker's. */
export type ReceivedConstants = Map<number, HttpResponse>;

/**
 * The responses as `ResponseBatch.fields`: per response, its status (0 for a null answer, which
 * has no other field), the header count and the headers' names and values, the body (a string;
 * a byte body's length, its bytes next in `pack`; or -1, the next of `large`), and the file
 * descriptor or null. A constant reply (with `constants`) is its negated id and whether it
 * crosses whole (true: the fields of a response follow) or as the id alone (false).
 */
export function encodeResponses(
  responses: ReadonlyArray<HttpResponse | null>,
  constants?: SentConstants,
): ResponseBatch {
  const references = responses.map((response) =>
    response === null || constants === undefined ? 0 : constants.reference(response),
  );
  const { pack, large } = packBodies(responses.map((response, k) => (references[k]! > 0 ? null : response)));
  const fields: ResponseBatch['fields'] = [];
  let at = 0;
  for (let k = 0; k < responses.length; k++) {
    const response = responses[k]!;
    const reference = references[k]!;
    if (response === null) {
      fields.push(0);
      continue;
    }
    if (reference > 0) {
      fields.push(-reference, false);
      continue;
    }
    if (reference < 0) fields.push(reference, true);
    fields.push(response.status);
    pushFields(fields, response.headers);
    const body = response.body;
    if (typeof body === 'string') fields.push(body);
    else if (body.byteLength > packedBodyBytes) fields.push(-1);
    else {
      pack.set(body, at);
      at += body.byteLength;
      fields.push(body.byteLength);
    }
    fields.push((response as Partial<FileResponse>).file ?? null);
  }
  return { fields, pack: pack.byteLength > 0 ? pack : undefined, large };
}

/**
 * The answers of `encodeResponses`, each byte body a view into `pack` or one of `large`; a
 * constant reply is the frozen copy kept in `constants` (the same object each time).
 */
export function decodeResponses(batch: ResponseBatch, constants?: ReceivedConstants): Array<HttpResponse | null> {
  const { fields, pack, large } = batch;
  const responses: Array<HttpResponse | null> = [];
  let at = 0;
  let next = 0;
  for (let k = 0; k < fields.length; ) {
    let status = fields[k] as number;
    if (status === 0) {
      responses.push(null);
      k++;
      continue;
    }
    let id = 0;
    if (status < 0) {
      id = -status;
      const whole = fields[k + 1] as boolean;
      k += 2;
      if (!whole) {
        const known = constants?.get(id);
        if (known === undefined) throw new Error(`worker-pool: constant reply ${id} was never sent whole`);
        responses.push(known);
        continue;
      }
      status = fields[k] as number;
    }
    const headers: HeaderList = [];
    k = readFields(fields, k + 1, headers);
    const field = fields[k] as string | number;
    let body: HttpResponse['body'];
    if (typeof field === 'string') body = field;
    else if (field < 0) body = large[next++]!;
    else if (field === 0 || pack === undefined) body = noBody;
    else {
      // A constant's body outlives this message: its own bytes, not a view into the pack.
      body = id === 0 ? pack.subarray(at, at + field) : pack.slice(at, at + field);
      at += field;
    }
    const file = fields[k + 1] as FileBody | null;
    k += 2;
    if (id !== 0) {
      const constant = Object.freeze({ status, headers: Object.freeze(headers) as HeaderList, body });
      constants?.set(id, constant);
      responses.push(constant);
    } else
      responses.push(file === null ? { status, headers, body } : ({ status, headers, body, file } as FileResponse));
  }
  return responses;
}

/** The worker side of crossing.ts: decode a request batch, or answer with 16 /hello responses. */
import { parentPort } from 'node:worker_threads';
import { constant } from '../../servers/app/responses.ts';
import { decodeRequests, encodeResponses, type RequestBatch } from '../../servers/cores/worker-pool/messages.ts';
import type { HttpRequest, HttpResponse } from '../../servers/protocol/types.ts';

const hello = constant(200, 'text/plain; charset=utf-8', 'Hello, World!');

/** How the responses cross: objects with a buffer per body, objects with one packed buffer, flat. */
export type AnswerShape = 'per-body' | 'packed' | 'flat';

type Message =
  | { kind: 'objects'; requests: HttpRequest[] }
  | ({ kind: 'flat' } & RequestBatch)
  | { kind: 'answer'; shape: AnswerShape };

parentPort?.on('message', (message: Message) => {
  if (message.kind === 'objects') return parentPort?.postMessage(message.requests.length);
  if (message.kind === 'flat') return parentPort?.postMessage(decodeRequests(message).length);
  const answers: HttpResponse[] = [];
  for (let k = 0; k < 16; k++) answers.push(hello());
  if (message.shape === 'flat') return parentPort?.postMessage(encodeResponses(answers));
  if (message.shape === 'packed') packInPlace(answers);
  else
    for (let k = 0; k < 16; k++) answers[k] = { ...answers[k]!, body: new Uint8Array(answers[k]!.body as Uint8Array) };
  parentPort?.postMessage(answers);
});

/** What the pool sent before the flat encoding: the objects, each byte body a view into one buffer. */
function packInPlace(answers: HttpResponse[]): void {
  let total = 0;
  for (const { body } of answers) if (typeof body !== 'string') total += body.byteLength;
  const pack = new Uint8Array(total);
  let at = 0;
  for (let k = 0; k < answers.length; k++) {
    const body = answers[k]!.body;
    if (typeof body === 'string') continue;
    pack.set(body, at);
    answers[k] = { ...answers[k]!, body: pack.subarray(at, at + body.byteLength) };
    at += body.byteLength;
  }
}

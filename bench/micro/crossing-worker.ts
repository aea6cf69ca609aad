/** The worker side of crossing.ts: decode a request batch, or answer with 16 /hello responses. */
import { parentPort } from 'node:worker_threads';
import { constant } from '../../servers/app/responses.ts';
import { sendable } from '../../servers/cores/worker-pool/bodies.ts';
import { decodeRequests, type RequestBatch } from '../../servers/cores/worker-pool/messages.ts';
import type { HttpRequest, HttpResponse } from '../../servers/protocol/types.ts';

const hello = constant(200, 'text/plain; charset=utf-8', 'Hello, World!');

type Message =
  | { kind: 'objects'; requests: HttpRequest[] }
  | ({ kind: 'flat' } & RequestBatch)
  | { kind: 'answer'; packed: boolean };

parentPort?.on('message', (message: Message) => {
  if (message.kind === 'objects') return parentPort?.postMessage(message.requests.length);
  if (message.kind === 'flat') return parentPort?.postMessage(decodeRequests(message).length);
  const answers: HttpResponse[] = [];
  for (let k = 0; k < 16; k++) answers.push(hello());
  if (message.packed) sendable(answers);
  else
    for (let k = 0; k < 16; k++) answers[k] = { ...answers[k]!, body: new Uint8Array(answers[k]!.body as Uint8Array) };
  parentPort?.postMessage(answers);
});

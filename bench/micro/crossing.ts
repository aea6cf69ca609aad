/**
 * `tsx bench/micro/crossing.ts [rounds]`: what the worker-pool's messages cost
 * to cross between two threads, each shape against the one it replaced, in
 * alternating rounds (one process; CPU time of both threads, per request):
 *   requests   16 parsed GET /hello to a worker and back: as the parser's objects,
 *              against `encodeRequests`' flat array (worker-pool/messages.ts);
 *   responses  16 /hello responses from a worker: as objects, each body in a buffer
 *              of its own (as the worker sent them first), then each a view into one
 *              packed buffer (as it sent them next), against `encodeResponses`' flat
 *              array, decoded here by `decodeResponses` (worker-pool/messages.ts).
 * The worker (crossing-worker.ts, bundled as the pool's is) decodes what it is sent.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { median } from 'simple-statistics';
import { bundleEntry } from '../../servers/cores/bundle.ts';
import { decodeResponses, encodeRequests, type ResponseBatch } from '../../servers/cores/worker-pool/messages.ts';
import { RequestParser } from '../../servers/protocol/parser.ts';

const batch = 16;
const trips = 4_000;
const rounds = Number(process.argv[2] ?? 5);
const requests = new RequestParser().push(
  Buffer.from('GET /hello HTTP/1.1\r\nHost: 127.0.0.1:40000\r\n\r\n'.repeat(batch)),
);
// Bundled to plain JavaScript, as the pool's worker is (servers/cores/bundle.ts).
const entry = await bundleEntry(fileURLToPath(new URL('./crossing-worker.ts', import.meta.url)), 'crossing-worker');
const worker = new Worker(entry, { execArgv: [] });
const trip = (message: unknown): Promise<unknown> =>
  new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(message);
  });
const flatAnswers = async (): Promise<unknown> =>
  decodeResponses((await trip({ kind: 'answer', shape: 'flat' })) as ResponseBatch);

const shapes: Record<string, () => Promise<unknown>> = {
  'requests as objects': () => trip({ kind: 'objects', requests }),
  'requests as a flat array': () => {
    const bodies: Uint8Array[] = [];
    return trip({ kind: 'flat', fields: encodeRequests(requests, bodies), bodies });
  },
  'responses, a buffer per body': () => trip({ kind: 'answer', shape: 'per-body' }),
  'responses, one packed buffer': () => trip({ kind: 'answer', shape: 'packed' }),
  'responses as a flat array': flatAnswers,
};
const samples = new Map<string, number[]>();
for (let round = 0; round < rounds; round++) {
  for (const [name, cross] of Object.entries(shapes)) {
    for (let k = 0; k < 500; k++) await cross(); // warm-up: both threads' code optimized
    const before = process.cpuUsage();
    for (let k = 0; k < trips; k++) await cross();
    const used = process.cpuUsage(before);
    samples.set(name, [...(samples.get(name) ?? []), (used.user + used.system) / trips / batch]);
  }
}
await worker.terminate();
console.log(`CPU µs per request (both threads, median of ${rounds} rounds of ${trips} round trips of ${batch})`);
for (const [name, values] of samples) {
  console.log(`${name.padEnd(30)} ${median(values).toFixed(2)}  (${values.map((v) => v.toFixed(2)).join(', ')})`);
}

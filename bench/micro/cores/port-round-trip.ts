/**
 * A bare MessagePort round trip between two threads, with the messages of a
 * worker-pool hop on GET /hello: the request as the parser yields it (here
 * structured-cloned as the pool sends it) one way, the response the other.
 * Run as its own process (bench:cores pins it to the server CPU); it prints one
 * JSON line: process CPU µs and wall µs per round trip, one message in flight.
 */
import { Worker } from 'node:worker_threads';

const request = {
  method: 'GET',
  target: '/hello',
  path: '/hello',
  query: '',
  versionMajor: 1,
  versionMinor: 1,
  headers: [['Host', '127.0.0.1:40000']],
  trailers: [],
  body: new Uint8Array(0),
  keepAlive: true,
  upgrade: false,
};
const response = {
  status: 200,
  headers: [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['X-Served-By', 'async'],
  ],
  body: 'Hello, World!\n',
};

const echo = `
const { parentPort, workerData } = require('node:worker_threads');
parentPort.on('message', () => parentPort.postMessage(workerData));
`;
const worker = new Worker(echo, { eval: true, workerData: response });
const trips = Number(process.argv[2] ?? 20_000);

function roundTrips(n: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    const onMessage = (): void => {
      if (--left === 0) {
        worker.off('message', onMessage);
        resolve();
      } else worker.postMessage(request);
    };
    worker.on('message', onMessage);
    worker.postMessage(request);
  });
}

await roundTrips(2_000); // warm-up: both threads' code optimized
const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
await roundTrips(trips);
const wallUs = Number(process.hrtime.bigint() - start) / 1e3;
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ trips, cpuUsPerTrip: (used.user + used.system) / trips, wallUsPerTrip: wallUs / trips })}\n`,
);
await worker.terminate();

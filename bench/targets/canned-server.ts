/**
 * The calibration server: a raw `net` server that answers every request it
 * sees with the same canned bytes and does nothing else. Loading it measures
 * the load generator's ceiling, not a server's. It counts requests by their
 * blank line, so it only understands requests without a body (which is all
 * calibration sends), pipelined or not.
 */
import { createServer } from 'node:net';

const body = 'Hello, World!';
const response = Buffer.from(
  `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`,
);
const endOfHead = Buffer.from('\r\n\r\n');

const server = createServer((socket) => {
  let tail = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    const data = tail.length ? Buffer.concat([tail, chunk]) : chunk;
    let count = 0;
    let last = -4;
    for (let at = data.indexOf(endOfHead); at !== -1; at = data.indexOf(endOfHead, at + 4)) {
      count++;
      last = at;
    }
    // Keep up to three bytes after the last blank line, so one split across chunks is still seen.
    tail = Buffer.from(data.subarray(Math.max(last + 4, data.length - 3)));
    if (count > 0) socket.write(count === 1 ? response : Buffer.concat(Array.from({ length: count }, () => response)));
  });
  socket.on('error', () => socket.destroy());
});

/** The address to listen on: 127.0.0.1, or the server namespace's address under `--rtt`. */
const host = process.argv[2] ?? '127.0.0.1';

server.listen(0, host, () => {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  process.stdout.write(`listening on http://${host}:${address.port}\n`);
});

const shutdown = () => {
  server.close(() => process.exit(0));
  // Load has stopped by now; idle keep-alive sockets would hold close() open.
  server.unref();
  setTimeout(() => process.exit(0), 200).unref();
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

/**
 * Ports for servers that print no ready line (nginx, a user's command): the
 * harness picks a free port on 127.0.0.1 and hands it over, then counts the
 * server ready when that port accepts a TCP connection.
 */
import { connect, createServer } from 'node:net';

export const loopback = '127.0.0.1';

/**
 * A port on 127.0.0.1 that was free a moment ago (the kernel's choice for port
 * 0). Another process could take it before the server binds; the server then
 * fails to start, which the cell reports.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, loopback, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('the kernel gave no port'))));
    });
  });
}

/** True when a TCP connection to host:port is accepted (then closed at once). */
export function portAccepts(port: number, host = loopback): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

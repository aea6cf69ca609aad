/**
 * What every core does the same way at start: the application's config and the
 * driver's settings from the core options, and listening on a socket.
 */
import type { Server } from 'node:net';
import type { AppConfig } from '../app/config.ts';
import type { ConnectionSettings } from './connection.ts';
import type { CoreOptions } from './types.ts';

/** The application's plain-data config (it crosses into workers and child processes). */
export function appConfigOf(options: CoreOptions): AppConfig {
  const { root, uploadDir, maxUploadBytes, credentials, database } = options;
  return { root, uploadDir, maxUploadBytes, credentials, database };
}

/** The connection driver's settings. */
export function connectionSettingsOf(options: CoreOptions): ConnectionSettings {
  return {
    limits: options.limits,
    keepAliveTimeoutMs: options.keepAliveTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs,
    sendTimeoutMs: options.sendTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs,
    minRequestBytesPerSecond: options.minRequestBytesPerSecond,
    accessLog: options.accessLog,
    inject: options.inject,
  };
}

/**
 * Listen on host:port and resolve with `http://HOST:PORT` (the port the OS chose when 0).
 * `reusePort` (SO_REUSEPORT) lets several sockets share the port; Node ≥ 22.12 / 23.1 only.
 */
export function listen(server: Server, options: Pick<CoreOptions, 'host' | 'port' | 'reusePort'>): Promise<string> {
  const { host, port, reusePort } = options;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    // `reusePort` is not in Node 20's types; only the reuseport core sets it, where it is supported.
    server.listen({ host, port, ...(reusePort ? { reusePort } : {}) }, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('server has no TCP address'));
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve(`http://${host}:${address.port}`);
    });
  });
}

/** Stop accepting; resolves once the listening socket is closed. */
export function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

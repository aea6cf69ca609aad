/**
 * One process of the prefork pool: an event-loop core on the listening socket
 * it shares with its siblings through node:cluster. Bundled to plain JavaScript.
 */
import { eventLoopCore } from '../event-loop.ts';
import type { CoreOptions } from '../types.ts';
import { isPreforkMessage, optionsVariable, type WorkerListening } from './messages.ts';

const options = JSON.parse(process.env[optionsVariable] ?? '{}') as CoreOptions;
const server = await eventLoopCore.start(options);
process.on('message', (message: unknown) => {
  if (!isPreforkMessage(message, 'drain')) return;
  void server.close().then(() => process.exit(0));
});
// The primary owns the signals: a Ctrl-C reaches the whole process group, and the primary drains us.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});
process.send!({ type: 'listening', url: server.url } satisfies WorkerListening);

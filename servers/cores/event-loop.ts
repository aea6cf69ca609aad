/**
 * event-loop: one thread multiplexes every connection. A backend wait is a
 * timer, so other connections go on meanwhile; CPU work runs inline, so it
 * stalls every connection until it is done. The shared driver
 * (`connection.ts`) reads, parses and answers; the application's asynchronous
 * I/O (`../app/async-io.ts`) is what makes a wait a timer.
 */
import { createServer } from 'node:net';
import { answerAtOnce, handleRequest } from '../app/app.ts';
import { asyncIO } from '../app/async-io.ts';
import { poolDatabase } from '../app/db/pool-database.ts';
import { Connections } from './connection.ts';
import { appConfigOf, connectionSettingsOf, listen, stopListening } from './setup.ts';
import type { CoreOptions, RunningServer, ServerCore } from './types.ts';

export const eventLoopCore: ServerCore = {
  name: 'event-loop',
  summary: 'one thread multiplexes every connection; waits are timers, CPU work stalls everyone',
  async start(options: CoreOptions): Promise<RunningServer> {
    const config = appConfigOf(options);
    // One asynchronous pool of database connections for every connection of this thread.
    const database = config.database && poolDatabase(config.database);
    const io = database ? { ...asyncIO, database } : asyncIO;
    // The model: every request runs on this thread, with I/O that waits by timers; an answer
    // the application has at once (the constant routes) is written without a promise.
    const connections = new Connections(
      (request) => answerAtOnce(request) ?? handleRequest(request, io, config),
      connectionSettingsOf(options),
    );
    // Every accepted socket is served at once: nothing waits for a turn.
    const server = createServer((socket) => connections.serve(socket));
    const url = await listen(server, options);
    return {
      url,
      async close() {
        await Promise.all([stopListening(server), connections.drain(options.drainTimeoutMs)]);
        await database?.close();
      },
    };
  },
};

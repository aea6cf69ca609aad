/**
 * blocking: one thread serves exactly one connection at a time, start to
 * finish. Connections that arrive meanwhile wait in a queue, accepted but
 * unread, until the current one closes. A backend wait blocks the whole thread
 * (`Atomics.wait`) and files are read synchronously, like a classic iterative
 * server's `accept(); while (read()) handle(); close();` loop.
 */
import { createServer, type Socket } from 'node:net';
import { answerAtOnce, handleRequest } from '../app/app.ts';
import { blockingDatabase, blockingWorkerEntry } from '../app/db/blocking-database.ts';
import { bundleEntry } from './bundle.ts';
import { syncIO } from '../app/sync-io.ts';
import { Connections } from './connection.ts';
import { appConfigOf, connectionSettingsOf, listen, stopListening } from './setup.ts';
import type { CoreOptions, RunningServer, ServerCore } from './types.ts';

export const blockingCore: ServerCore = {
  name: 'blocking',
  summary: 'one connection at a time on one thread; waits block the thread, others queue unread',
  async start(options: CoreOptions): Promise<RunningServer> {
    const config = appConfigOf(options);
    const settings = { ...connectionSettingsOf(options), batchPipelined: false };
    // One connection to the database, queried synchronously: a query blocks the thread.
    const database =
      config.database &&
      (await blockingDatabase(config.database, await bundleEntry(blockingWorkerEntry, 'blocking-database-worker')));
    const io = database ? { ...syncIO, database } : syncIO;
    // Inline, as the event loop runs it: an answer the application has at once needs no promise.
    const connections = new Connections(
      (request) => answerAtOnce(request) ?? handleRequest(request, io, config),
      settings,
    );
    // Sockets accepted while another is being served. `pauseOnConnect` keeps the kernel
    // from handing us their bytes: nothing of theirs is read until their turn.
    const waiting: Socket[] = [];
    let serving = false;
    let closing = false;

    const serveNext = (): void => {
      serving = false;
      while (!closing && waiting.length > 0) {
        const socket = waiting.shift()!;
        if (socket.destroyed) continue; // the client gave up while it waited
        serving = true;
        connections.serve(socket, serveNext);
        socket.resume();
        return;
      }
    };

    const server = createServer({ pauseOnConnect: true }, (socket) => {
      socket.on('error', () => socket.destroy());
      waiting.push(socket);
      if (!serving) serveNext();
    });
    const url = await listen(server, options);
    return {
      url,
      async close() {
        closing = true;
        // Connections never reached are not in flight: they are closed unread.
        for (const socket of waiting.splice(0)) socket.destroy();
        await Promise.all([stopListening(server), connections.drain(options.drainTimeoutMs)]);
        await database?.close();
      },
    };
  },
};

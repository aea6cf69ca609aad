/**
 * One connection to a Redis server, speaking RESP (resp.ts): commands are
 * written as they come, without waiting for earlier replies (pipelining), and
 * Redis answers them in order, so each reply settles the oldest command still
 * waiting. A connection that breaks fails what is waiting and stays closed; its
 * owner opens another.
 *
 * Written here rather than taken from `@redis/client` (which the setup and the
 * tests use): that package adds some 1.25 MB to the per-request child's bundle,
 * which every child parses at its start, whatever its route (docs/cache.md).
 */
import type { Socket } from 'node:net';
import { decodeReply, encodeCommand, type RespValue } from './resp.ts';

export interface RespConnection {
  /** Send one command; resolves with its reply, rejects with a Redis error or a broken connection. */
  send(args: readonly string[]): Promise<RespValue>;
  /** False once the connection is broken or closed. */
  readonly open: boolean;
  close(): Promise<void>;
}

const connectTimeoutMs = 5_000;

/** Connect to `redis://[user:password@]host:port[/db]`, authenticated and with its database selected. */
export async function openRespConnection(url: string): Promise<RespConnection> {
  const target = new URL(url);
  // Loaded here: a per-request child that never reads the cache does not load node:net for it.
  const { connect } = await import('node:net');
  const socket: Socket = connect({ host: target.hostname || '127.0.0.1', port: Number(target.port || 6379) });
  socket.setNoDelay(true);
  const waiting: Array<{ resolve(value: RespValue): void; reject(error: Error): void }> = [];
  let unread: Buffer = Buffer.alloc(0);
  let open = true;
  const fail = (error: Error): void => {
    open = false;
    for (const command of waiting.splice(0)) command.reject(error);
  };
  socket.on('data', (chunk: Buffer) => {
    unread = unread.length === 0 ? chunk : Buffer.concat([unread, chunk]);
    let at = 0;
    for (;;) {
      let reply: ReturnType<typeof decodeReply>;
      try {
        reply = decodeReply(unread, at);
      } catch (error) {
        socket.destroy(error as Error);
        return;
      }
      if (reply === undefined) break;
      at = reply.next;
      const command = waiting.shift();
      if (reply.value instanceof Error) command?.reject(reply.value);
      else command?.resolve(reply.value);
    }
    unread = at === unread.length ? Buffer.alloc(0) : unread.subarray(at);
  });
  socket.on('error', (error) => fail(new Error(`cache server ${target.host}: ${error.message}`)));
  socket.on('close', () => fail(new Error(`cache server ${target.host}: connection closed`)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => socket.destroy(new Error(`no connection in ${connectTimeoutMs} ms`)),
      connectTimeoutMs,
    );
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cache server ${target.host}: ${error.message}`));
    });
  });

  const send = (args: readonly string[]): Promise<RespValue> =>
    new Promise((resolve, reject) => {
      if (!open) return reject(new Error(`cache server ${target.host}: connection closed`));
      waiting.push({ resolve, reject });
      socket.write(encodeCommand(args));
    });
  const connection: RespConnection = {
    send,
    get open() {
      return open;
    },
    async close() {
      if (socket.destroyed) return;
      // Redis needs no QUIT: the end of the stream closes the connection.
      const closed = new Promise((resolve) => socket.once('close', resolve));
      socket.end();
      await closed;
    },
  };
  try {
    const password = decodeURIComponent(target.password);
    const user = decodeURIComponent(target.username);
    if (password !== '') await send(user === '' ? ['AUTH', password] : ['AUTH', user, password]);
    const database = target.pathname.slice(1);
    if (database !== '') await send(['SELECT', database]);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return connection;
}

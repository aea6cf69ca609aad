/**
 * Sending a response whose body lies in a file (servers/app/file-body.ts) in bounded memory: the
 * head, then the bytes in chunks of `chunkBytes`, the next chunk read only once the socket has
 * taken the one before ('drain'). A client that reads slowly or not at all holds one chunk in our
 * buffer and what the kernel's socket buffers take, whatever the file's size. The connection
 * driver (connection.ts) calls `sendFile` in place of its one write and goes on when it is done.
 */
import type { Socket } from 'node:net';
import { openToSend } from '../app/async-io.ts';
import type { AccessLog } from '../app/access-log.ts';
import { type FileBody, fileToSend } from '../app/file-body.ts';
import type { OpenedFile } from '../app/io.ts';
import { openToSendSync } from '../app/sync-io.ts';
import { errorResponse, type ResponseContext, serializeResponse } from '../protocol/serializer.ts';
import type { HttpRequest, HttpResponse } from '../protocol/types.ts';

/** Bytes read and written at a time: the most of the file held in our memory for one response. */
export const chunkBytes = 64 * 1024;

/** What `sendFile` needs of the connection's owner (connection.ts's `Connections`). */
export interface FileSender {
  readonly settings: { readonly sendTimeoutMs: number };
  readonly log: AccessLog | undefined;
}

/**
 * When `response` has a body in a file to send (not for a HEAD or a 304), send its head and then the
 * file's bytes to `socket` and return true; `done` runs once, when the socket has taken the last
 * chunk, or once the socket has closed (cut by a failure, or by the client). False, and nothing
 * done, for any other response.
 *
 * The file is opened before the head goes: one removed since the application's stat is answered
 * 404, one changed since (another size or modification time) 503, as the head describes another
 * version. Once the head is sent, a file that ends early (truncated), a read that fails, or a
 * client that takes nothing for `sendTimeoutMs` cuts the connection: the client sees a short
 * body, never wrong bytes. The access log has the line once the body is out.
 */
export function sendFile(
  socket: Socket,
  request: HttpRequest,
  response: HttpResponse,
  context: ResponseContext,
  owner: FileSender,
  done: () => void,
): boolean {
  const file = fileToSend(response, request.method);
  if (file === undefined) return false;
  const finish = (): void => {
    owner.log?.logResponse(socket.remoteAddress, request, response);
    done();
  };
  send(socket, response, context, file, owner.settings.sendTimeoutMs).then(
    (ok) => (ok ? finish() : afterClose(socket, finish)),
    () => afterClose(socket, finish),
  );
  return true;
}

/** True when everything was sent and the socket can carry the next response. */
async function send(
  socket: Socket,
  response: HttpResponse,
  context: ResponseContext,
  file: FileBody,
  sendTimeoutMs: number,
): Promise<boolean> {
  let opened: OpenedFile | undefined;
  try {
    opened = await (file.io === 'sync' ? openToSendSync : openToSend)(file.path);
  } catch {
    return answer(socket, errorResponse(500), context, sendTimeoutMs);
  }
  if (opened === undefined) return answer(socket, errorResponse(404), context, sendTimeoutMs);
  try {
    if (opened.size !== file.size || opened.mtimeMs !== file.mtimeMs) {
      const changed = errorResponse(503, 'The file changed while it was being answered; ask again.');
      changed.headers.push(['Retry-After', '1']);
      return await answer(socket, changed, context, sendTimeoutMs);
    }
    socket.write(serializeResponse(response, context));
    // Two buffers: the next chunk is read while the socket sends the last, and a buffer is read
    // into again only once the socket has drained (it holds none of it), or else it is a new one.
    const size = Math.min(chunkBytes, file.end - file.start);
    const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)];
    let reading = readChunk(opened, buffers[0]!, file.start, file.end);
    for (let position = file.start, k = 0; position < file.end; k ^= 1) {
      const chunk = await reading;
      position += chunk.length;
      if (socket.destroyed) return false;
      const flowing = socket.write(chunk);
      if (flowing) buffers[k] = Buffer.allocUnsafe(size);
      if (position < file.end) reading = readChunk(opened, buffers[k ^ 1]!, position, file.end);
      if (!flowing) await drained(socket, sendTimeoutMs);
    }
    return !socket.destroyed;
  } finally {
    opened.close();
  }
}

/**
 * The chunk at `position` (as much of `buffer` as lies before `end`); rejects when the file ends
 * first (truncated since it was opened). Its rejection counts as handled until it is awaited.
 */
function readChunk(opened: OpenedFile, buffer: Buffer, position: number, end: number): Promise<Buffer> {
  const chunk = buffer.subarray(0, Math.min(buffer.length, end - position));
  const read = (async () => {
    for (let got = 0; got < chunk.length; ) {
      const n = await opened.read(chunk.subarray(got), position + got);
      if (n === 0) throw new Error('the file is shorter than the Content-Length sent');
      got += n;
    }
    return chunk;
  })();
  read.catch(() => {});
  return read;
}

/** Send a small answer in place of the file's (the connection goes on as for any response). */
async function answer(
  socket: Socket,
  response: HttpResponse,
  context: ResponseContext,
  sendTimeoutMs: number,
): Promise<boolean> {
  if (!socket.write(serializeResponse(response, context))) await drained(socket, sendTimeoutMs);
  return !socket.destroyed;
}

/**
 * Resolve on 'drain'; reject when the socket closes, or when the client took none of our buffer
 * for `timeoutMs` (the send timeout counts from the last progress, as the driver's does).
 */
function drained(socket: Socket, timeoutMs: number): Promise<void> {
  if (socket.destroyed) return Promise.reject(new Error('the socket is gone'));
  return new Promise((resolve, reject) => {
    let unsent = socket.writableLength;
    const check = (): void => {
      if (socket.writableLength >= unsent) return settle(new Error('send timeout'));
      unsent = socket.writableLength;
      timer = setTimeout(check, timeoutMs);
    };
    let timer = setTimeout(check, timeoutMs);
    const onDrain = (): void => settle();
    const onClose = (): void => settle(new Error('the socket closed'));
    const settle = (error?: Error): void => {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      if (error === undefined) resolve();
      else reject(error);
    };
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

/** Cut the socket (if it is not yet gone) and run `done` once it has closed. */
function afterClose(socket: Socket, done: () => void): void {
  if (socket.closed) return done();
  socket.once('close', done);
  socket.destroy();
}

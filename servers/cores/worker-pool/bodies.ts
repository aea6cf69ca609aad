/**
 * How bodies cross between the worker-pool's threads: a request's one way, by
 * transfer (`movable`); a batch's responses' the other, packed into one buffer
 * (`packBodies`). A structured clone copies the whole buffer under a view, and
 * allocates a buffer per body on the receiving thread: both are avoided here.
 */
import type { HttpResponse } from '../../protocol/types.ts';

/**
 * The bodies' buffers, to transfer: the parser gives each body its own copy, which nothing on
 * this thread reads once the request is sent. A body cut from a larger buffer (Buffer's pool, a
 * chunked body's spare room) is first copied to one of its own: a clone would copy it all.
 */
export function movable(bodies: Uint8Array[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (let k = 0; k < bodies.length; k++) {
    let body = bodies[k]!;
    if (body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength) body = bodies[k] = new Uint8Array(body);
    buffers.push(body.buffer as ArrayBuffer);
  }
  return buffers;
}

/** Bodies up to this size cross packed together (`packBodies`); a larger one crosses on its own. */
export const packedBodyBytes = 16 * 1024;

/**
 * Room for the responses' small byte bodies in one buffer, `pack` (`encodeResponses` copies them
 * in), and the larger ones as they are to cross, `large`. One buffer for the batch is one
 * allocation and copy on each thread, where a buffer per body cost as much again as the rest of
 * a `/hello` response's clone (docs/models/worker-pool.md). A clone copies a view's whole buffer,
 * so a larger body cut from a larger buffer (a range of a cached file) is copied to its own.
 * The application's buffers are not changed: the constant replies and the file cache share them.
 */
export function packBodies(responses: ReadonlyArray<HttpResponse | null>): { pack: Uint8Array; large: Uint8Array[] } {
  let total = 0;
  const large: Uint8Array[] = [];
  for (const response of responses) {
    if (response === null || typeof response.body === 'string') continue;
    const body = response.body;
    if (body.byteLength <= packedBodyBytes) total += body.byteLength;
    else large.push(body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body));
  }
  return { pack: new Uint8Array(total), large };
}

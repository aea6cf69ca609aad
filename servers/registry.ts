/**
 * Every server the suite can start, by name: our models, and the peers that
 * are not ours but give the figures a reference. `serve.ts`, the tests and the
 * harness all look servers up here.
 */
import { blockingCore } from './cores/blocking.ts';
import { eventLoopCore } from './cores/event-loop.ts';
import { preforkCore } from './cores/prefork.ts';
import { processPerRequestCore } from './cores/process-per-request.ts';
import { reuseportCore } from './cores/reuseport.ts';
import type { ServerCore } from './cores/types.ts';
import { workerPoolCore } from './cores/worker-pool.ts';
import { nodeHttpPeer } from './peers/node-http.ts';

/** A registered server: a model of ours, or a peer to read our figures against. */
export interface RegisteredServer extends ServerCore {
  kind: 'model' | 'peer';
}

/** The design's four models in its table's order, the two production models, then the peers. */
export const registry: readonly RegisteredServer[] = Object.freeze([
  { ...blockingCore, kind: 'model' },
  { ...processPerRequestCore, kind: 'model' },
  { ...eventLoopCore, kind: 'model' },
  { ...workerPoolCore, kind: 'model' },
  { ...preforkCore, kind: 'model' },
  { ...reuseportCore, kind: 'model' },
  { ...nodeHttpPeer, kind: 'peer' },
]);

/** The server registered under `name`, or undefined. */
export function findServer(name: string): RegisteredServer | undefined {
  return registry.find((entry) => entry.name === name);
}

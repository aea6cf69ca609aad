/** The messages between the prefork primary and its cluster workers, typed in one place. */
import type { CoreOptions } from '../types.ts';

/** The environment variable that carries the core options to each worker, as JSON. */
export const optionsVariable = 'SERVER_MODELS_PREFORK_OPTIONS';

/** Worker -> primary: listening on the shared socket, ready for connections. */
export interface WorkerListening {
  type: 'listening';
  url: string;
}

/** Primary -> worker: drain your connections and exit. */
export interface DrainAndExit {
  type: 'drain';
}

export type PreforkMessage = WorkerListening | DrainAndExit;

export function isPreforkMessage(message: unknown, type: PreforkMessage['type']): boolean {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}

export type { CoreOptions };

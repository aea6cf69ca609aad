/** The messages between the blocking model's thread and the worker thread that holds its database connection. */
import type { MessagePort } from 'node:worker_threads';
import type { DatabaseSettings } from './settings.ts';

/** `workerData` of the database worker. */
export interface BlockingWorkerData {
  settings: DatabaseSettings;
  /** The port the calls come in on and their answers go out on. */
  port: MessagePort;
  /** Set to 1 and notified by the worker once an answer is posted (the caller sleeps on it). */
  signal: Int32Array;
}

/** One call of a Database operation. */
export interface BlockingCall {
  operation: 'worlds' | 'cachedWorlds' | 'fortunes' | 'saveWorlds' | 'close';
  args: unknown[];
}

/** Its answer: the operation's value, or the message of its error. */
export type BlockingAnswer = { ok: true; value: unknown } | { ok: false; error: string };

/** The IPC messages between the harness and the autocannon runner process, typed in one place. */
import type { LoadJob, LoadResult } from './types.ts';

/** Harness -> runner. */
export type RunnerMessage = { type: 'run'; job: LoadJob } | { type: 'stop' };

/** Runner -> harness. */
export type RunnerReply =
  | { type: 'ready' }
  | { type: 'result'; result: LoadResult }
  | { type: 'error'; message: string };

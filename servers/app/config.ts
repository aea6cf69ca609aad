/** The application's settings: plain data, since it is sent to worker threads and child processes as JSON. */
import type { DatabaseSettings } from './db/settings.ts';

export interface AppConfig {
  /** Document root served under /static. */
  root: string;
  /** Folder of PUT /upload/<name>. */
  uploadDir: string;
  /** Largest upload accepted (413 beyond). */
  maxUploadBytes: number;
  /** Most bytes the upload area holds, all uploads together (507 beyond); `uploadAreaDefaults` when unset. */
  maxUploadAreaBytes?: number | undefined;
  /** Most files the upload area holds (507 for a new one beyond); `uploadAreaDefaults` when unset. */
  maxUploadFiles?: number | undefined;
  /**
   * Largest static body (a whole file or a range) read into memory and sent in one write; a larger
   * one is streamed in 64 KiB chunks. `defaultMaxInMemoryBodyBytes` (1 MiB) when unset. See file-body.ts.
   */
  maxInMemoryBodyBytes?: number | undefined;
  /** Basic-auth credentials for /private. */
  credentials: { user: string; password: string };
  /**
   * Key that signs the session cookies of GET /session (any string; 32 random bytes in hex is right).
   * It must be the same in every process and thread of one server, so it travels in this config.
   * Without it, a key is derived from this config's folders and credentials (see `sessions.ts`).
   */
  sessionSecret?: string | undefined;
  /** The database server of /db, /queries, /fortunes, /updates and /cached-queries; none: they answer 503. */
  database?: DatabaseSettings | undefined;
}

/**
 * The upload area's bounds when the config does not set them: room for 64 of the
 * largest uploads, and a count that keeps listing the folder (which every PUT does)
 * cheap.
 */
export const uploadAreaDefaults = Object.freeze({ maxUploadAreaBytes: 256 * 1024 * 1024, maxUploadFiles: 1_000 });

/** The largest body PUT /upload/<name> accepts by default (servers/defaults.ts gives it to the cores). */
export const defaultMaxUploadBytes = 4 * 1024 * 1024;

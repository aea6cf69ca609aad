/** The application's settings: plain data, since it is sent to worker threads and child processes as JSON. */
export interface AppConfig {
  /** Document root served under /static. */
  root: string;
  /** Folder of PUT /upload/<name>. */
  uploadDir: string;
  /** Largest upload accepted (413 beyond). */
  maxUploadBytes: number;
  /** Basic-auth credentials for /private. */
  credentials: { user: string; password: string };
  /**
   * Key that signs the session cookies of GET /session (any string; 32 random bytes in hex is right).
   * It must be the same in every process and thread of one server, so it travels in this config.
   * Without it, a key is derived from this config's folders and credentials (see `sessions.ts`).
   */
  sessionSecret?: string | undefined;
}

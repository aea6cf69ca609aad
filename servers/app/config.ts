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
}

/**
 * The I/O the application asks for. The handlers are written once against this
 * interface; each core supplies an implementation that schedules the work the
 * way its model does (see the model table in the design):
 *
 * - blocking and process-per-request: `wait` blocks the thread (`Atomics.wait`),
 *   files are read synchronously; the returned promises are already settled.
 * - event-loop and the worker-pool's workers: `wait` is a timer, files are read
 *   asynchronously, so other connections (or tasks) go on meanwhile.
 *
 * The database is the one piece each core supplies itself (`database`): which
 * connections it holds and how it waits for them is the model (see `db/`).
 */
export interface AppIO {
  /** Which scheduling this is, for `X-Served-By` and the access log: `sync` or `async`. */
  readonly kind: 'sync' | 'async';
  /** Wait `ms` milliseconds on the simulated backend (the stand-in for a database server). */
  wait(ms: number): Promise<void>;
  /** File metadata, or undefined when there is no such regular file. Follows symlinks. */
  stat(path: string): Promise<FileInfo | undefined>;
  /**
   * Bytes [start, end) of a file (the whole file without a range), or undefined when
   * there is no such file: one removed since its `stat` is a 404, not an error.
   */
  readFile(path: string, start?: number, end?: number): Promise<Uint8Array | undefined>;
  /** Create a new file holding `data`; rejects if `path` exists (so that two writers never share a file). */
  createFile(path: string, data: Uint8Array): Promise<void>;
  /**
   * Rename `from` to `to` in one step, replacing `to`: a reader opens the old file or
   * the new one, never a mix (rename(2) within one folder).
   */
  rename(from: string, to: string): Promise<void>;
  /** The regular files of a folder with their sizes; one removed while the folder is listed is left out. */
  listFiles(dir: string): Promise<Array<{ name: string; size: number }>>;
  /** Remove a file; resolves false when there was none. */
  removeFile(path: string): Promise<boolean>;
  /** The database server, or undefined when none is configured (its routes then answer 503). */
  readonly database?: Database | undefined;
}

/** A row of TechEmpower's `World` table. */
export interface World {
  id: number;
  randomNumber: number;
}

/** A row of TechEmpower's `Fortune` table. */
export interface Fortune {
  id: number;
  message: string;
}

/** The queries the database routes make, each sent to the database server as TechEmpower asks. */
export interface Database {
  /** The `World` rows of `ids`, in that order, one query per id. */
  worlds(ids: readonly number[]): Promise<World[]>;
  /** Like `worlds`, from an in-process cache of rows, the database asked only on a miss. */
  cachedWorlds(ids: readonly number[]): Promise<World[]>;
  /** Every `Fortune` row. */
  fortunes(): Promise<Fortune[]>;
  /** Write each row's `randomNumber` (one statement for the batch; ids distinct). */
  saveWorlds(rows: readonly World[]): Promise<void>;
}

/**
 * A file opened to be sent in chunks (servers/cores/file-stream.ts). Its size and time are the
 * open file's (fstat): the chunks come from this file, whatever its path names meanwhile.
 */
export interface OpenedFile {
  size: number;
  mtimeMs: number;
  /** Read up to `buffer.length` bytes at `position` into `buffer`; resolves how many (0: past the end). */
  read(buffer: Uint8Array, position: number): Promise<number>;
  close(): void;
}

export interface FileInfo {
  size: number;
  mtimeMs: number;
  /** The real path with symlinks resolved, to confine requests to the document root. */
  realPath: string;
}

/** For the implementations: undefined for a file that is not there; any other failure stays an error. */
export function absent(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}

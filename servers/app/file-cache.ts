/**
 * An open-file cache for the static files, after nginx's `open_file_cache`: a
 * file's metadata (size, mtime, real path) and a small file's bytes are kept
 * for a short validity and then revalidated by a `stat`, so that a request for
 * a file seen within the last second costs no trip to the file system. Without
 * it, an asynchronous model pays a stat, a realpath, an open, a read and a
 * close per request, each a hop through libuv's thread pool (the cost is
 * measured in docs/models/event-loop.md).
 *
 * What it promises: a file changed or replaced on disk is seen within
 * `validityMs` (its new size or mtime drops the old bytes); a file removed is a
 * 404 within it. Misses (no such file) are not cached. Entries and bytes are
 * bounded; the least recently used go first. Only the static route uses it: an
 * upload is read back through the I/O directly, so a PUT is seen at once by
 * every worker.
 */
import type { AppIO, FileInfo } from './io.ts';

/** The cache's bounds and validity: one object, recorded with the model that uses it. */
export interface FileCacheSettings {
  /** How long an entry is trusted before a `stat` revalidates it (nginx's `open_file_cache_valid`). */
  validityMs: number;
  /** Most files described at once (nginx's `open_file_cache max=`). */
  maxEntries: number;
  /** Most bytes of file contents held, all entries together. */
  maxBytes: number;
  /** Largest file whose bytes are kept; a larger one is described only and read on each request. */
  maxFileBytes: number;
}

export const fileCacheDefaults: Readonly<FileCacheSettings> = Object.freeze({
  validityMs: 1_000,
  maxEntries: 1_000,
  maxBytes: 16 * 1024 * 1024,
  maxFileBytes: 64 * 1024,
});

interface Entry {
  info: FileInfo;
  /** When the file was last stat'ed (performance.now()). */
  checkedAt: number;
  /** The whole file, once read, when it is small enough. */
  bytes: Uint8Array | undefined;
}

/** The cache of one server (or one worker): give it the I/O that reaches the disk. */
export class FileCache {
  private readonly entries = new Map<string, Entry>();
  private bytesHeld = 0;

  constructor(
    private readonly io: AppIO,
    readonly settings: Readonly<FileCacheSettings> = fileCacheDefaults,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** The file's metadata as of at most `validityMs` ago, or undefined when it is not a regular file. */
  async stat(path: string): Promise<FileInfo | undefined> {
    const entry = this.entries.get(path);
    if (entry !== undefined && this.now() - entry.checkedAt < this.settings.validityMs) {
      // Refresh its place in the eviction order.
      this.entries.delete(path);
      this.entries.set(path, entry);
      return entry.info;
    }
    const checkedAt = this.now();
    const info = await this.io.stat(path);
    if (info === undefined) {
      this.forget(path);
      return undefined;
    }
    const same = entry !== undefined && entry.info.size === info.size && entry.info.mtimeMs === info.mtimeMs;
    const kept = same && entry.info.realPath === info.realPath ? entry.bytes : undefined;
    this.forget(path);
    this.entries.set(path, { info, checkedAt, bytes: kept });
    this.bytesHeld += kept?.length ?? 0;
    this.evict();
    return info;
  }

  /**
   * Bytes [start, end) of the file `stat` last described, from memory when it is small;
   * undefined when it has gone. Call `stat` first: this trusts its entry.
   */
  async read(path: string, start: number, end: number): Promise<Uint8Array | undefined> {
    const entry = this.entries.get(path);
    if (entry === undefined || entry.info.size > this.settings.maxFileBytes) return this.io.readFile(path, start, end);
    if (entry.bytes === undefined) {
      const bytes = await this.io.readFile(path);
      if (bytes === undefined) {
        this.forget(path);
        return undefined;
      }
      // Changed between its stat and this read: serve what was read, keep nothing.
      if (bytes.length !== entry.info.size || this.entries.get(path) !== entry) return bytes.subarray(start, end);
      entry.bytes = bytes;
      this.bytesHeld += bytes.length;
      this.evict();
    }
    return (entry.bytes ?? (await this.io.readFile(path, start, end)))?.subarray(start, end);
  }

  private forget(path: string): void {
    const entry = this.entries.get(path);
    if (entry === undefined) return;
    this.bytesHeld -= entry.bytes?.length ?? 0;
    this.entries.delete(path);
  }

  /** Drop the least recently used entries until both bounds hold. */
  private evict(): void {
    for (const path of this.entries.keys()) {
      if (this.entries.size <= this.settings.maxEntries && this.bytesHeld <= this.settings.maxBytes) return;
      this.forget(path);
    }
  }
}

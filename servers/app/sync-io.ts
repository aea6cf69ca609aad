/** AppIO for the blocking models: the thread itself waits; every promise is already settled. */
import {
  readFileSync,
  realpathSync,
  statSync,
  unlinkSync,
  writeFileSync,
  renameSync,
  readdirSync,
  type Stats,
  openSync,
  readSync,
  closeSync,
  fstatSync,
} from 'node:fs';
import { join } from 'node:path';
import { absent, type AppIO, type FileInfo, type OpenedFile } from './io.ts';

// Atomics.wait on a private SharedArrayBuffer blocks the thread without spinning the CPU.
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export const syncIO: AppIO = {
  kind: 'sync',
  wait(ms) {
    if (ms > 0) Atomics.wait(sleeper, 0, 0, ms);
    return Promise.resolve();
  },
  stat(path) {
    try {
      const s = statSync(path);
      if (!s.isFile()) return Promise.resolve(undefined);
      const info: FileInfo = { size: s.size, mtimeMs: s.mtimeMs, realPath: realpathSync(path) };
      return Promise.resolve(info);
    } catch {
      return Promise.resolve(undefined);
    }
  },
  readFile(path, start, end) {
    let fd: number;
    try {
      if (start === undefined) return Promise.resolve(readFileSync(path));
      fd = openSync(path, 'r');
    } catch (error) {
      return Promise.resolve(absent(error));
    }
    try {
      const buffer = Buffer.alloc((end ?? start) - start);
      let done = 0;
      while (done < buffer.length) {
        const n = readSync(fd, buffer, done, buffer.length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      return Promise.resolve(buffer.subarray(0, done));
    } finally {
      closeSync(fd);
    }
  },
  createFile(path, data) {
    writeFileSync(path, data, { flag: 'wx' });
    return Promise.resolve();
  },
  rename(from, to) {
    renameSync(from, to);
    return Promise.resolve();
  },
  listFiles(dir) {
    const files: Array<{ name: string; size: number }> = [];
    for (const name of readdirSync(dir)) {
      let s: Stats | undefined;
      try {
        s = statSync(join(dir, name));
      } catch (error) {
        s = absent(error);
      }
      if (s?.isFile()) files.push({ name, size: s.size });
    }
    return Promise.resolve(files);
  },
  removeFile(path) {
    try {
      unlinkSync(path);
      return Promise.resolve(true);
    } catch {
      return Promise.resolve(false);
    }
  },
};

/**
 * Open `path` to send it in chunks, each read synchronously: the blocking model's thread waits for
 * the disk, as for every read of its. Undefined when there is no such file; the promises are settled.
 */
export function openToSendSync(path: string): Promise<OpenedFile | undefined> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    return Promise.resolve(absent(error));
  }
  let s: Stats;
  try {
    s = fstatSync(fd);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  return Promise.resolve({
    size: s.size,
    mtimeMs: s.mtimeMs,
    read: (buffer, position) => Promise.resolve(readSync(fd, buffer, 0, buffer.length, position)),
    close: () => closeSync(fd),
  });
}

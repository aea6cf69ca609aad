/** AppIO for the event-loop models: waits are timers and files go through fs/promises, so other work goes on. */
import { open, readdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { absent, type AppIO, type OpenedFile } from './io.ts';

export const asyncIO: AppIO = {
  kind: 'async',
  async wait(ms) {
    if (ms > 0) await sleep(ms);
  },
  async stat(path) {
    try {
      const s = await stat(path);
      if (!s.isFile()) return undefined;
      return { size: s.size, mtimeMs: s.mtimeMs, realPath: await realpath(path) };
    } catch {
      return undefined;
    }
  },
  async readFile(path, start, end) {
    if (start === undefined) return readFile(path).catch(absent);
    const handle = await open(path, 'r').catch(absent);
    if (handle === undefined) return undefined;
    try {
      const buffer = Buffer.alloc((end ?? start) - start);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  },
  async createFile(path, data) {
    await writeFile(path, data, { flag: 'wx' });
  },
  async rename(from, to) {
    await rename(from, to);
  },
  async listFiles(dir) {
    const names = await readdir(dir);
    const sizes = await Promise.all(names.map((name) => stat(join(dir, name)).catch(absent)));
    const files: Array<{ name: string; size: number }> = [];
    names.forEach((name, i) => {
      const s = sizes[i];
      if (s?.isFile()) files.push({ name, size: s.size });
    });
    return files;
  },
  async removeFile(path) {
    try {
      await unlink(path);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * Open `path` to send it in chunks, each read through libuv's thread pool while the loop goes on.
 * Undefined when there is no such file.
 */
export async function openToSend(path: string): Promise<OpenedFile | undefined> {
  const handle = await open(path, 'r').catch(absent);
  if (handle === undefined) return undefined;
  const s = await handle.stat().catch(async (error: unknown) => {
    await handle.close();
    throw error;
  });
  return {
    size: s.size,
    mtimeMs: s.mtimeMs,
    read: async (buffer, position) => (await handle.read(buffer, 0, buffer.length, position)).bytesRead,
    close: () => void handle.close().catch(() => {}),
  };
}

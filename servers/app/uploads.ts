/**
 * PUT, GET and DELETE /upload/<name>: an upload area in the config's folder,
 * bounded per upload (413) and in total bytes and files (507). The folder itself
 * is the only state, so the bounds hold across the processes of prefork and
 * process-per-request, which share nothing else.
 */
import { join } from 'node:path';
import { getHeader, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import { crypto } from './builtins.ts';
import { type AppConfig, uploadAreaDefaults } from './config.ts';
import type { AppIO } from './io.ts';
import { reply, servedBy, text } from './responses.ts';

/** Names an upload may have: no separators, no dot-only names, and never a temporary file's `~`. */
const validName = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

export async function upload(req: HttpRequest, io: AppIO, config: AppConfig, name: string): Promise<HttpResponse> {
  if (!validName.test(name)) return text(400, 'Upload names are 1 to 128 of [A-Za-z0-9._-].\n');
  const file = join(config.uploadDir, name);
  switch (req.method) {
    case 'PUT':
      return put(req, io, config, name);
    case 'DELETE':
      return (await io.removeFile(file)) ? reply(204, []) : text(404, 'No such upload.\n');
    default: {
      // A DELETE may come between the stat and the read: then too, there is no such upload.
      const body = (await io.stat(file)) ? await io.readFile(file) : undefined;
      if (!body) return text(404, 'No such upload.\n');
      return reply(
        200,
        [
          ['Content-Type', 'application/octet-stream'],
          ['Cache-Control', 'no-cache'],
        ],
        body,
      );
    }
  }
}

async function put(req: HttpRequest, io: AppIO, config: AppConfig, name: string): Promise<HttpResponse> {
  const framed =
    getHeader(req.headers, 'content-length') !== undefined || getHeader(req.headers, 'transfer-encoding') !== undefined;
  if (!framed) return text(411, 'PUT needs Content-Length or chunked framing.\n');
  if (req.body.length > config.maxUploadBytes)
    return text(413, `Uploads are limited to ${config.maxUploadBytes} bytes.\n`);
  // A first look, before writing anything, so that a full area costs no disk.
  const early = await areaFull(io, config, name, req.body.length);
  if (early) return early;

  // Written whole under a name no request can address, then renamed over the upload in one
  // step: concurrent PUTs never splice into one file, and a GET reads one version or the other.
  const temporary = join(
    config.uploadDir,
    `${name}~${servedBy.replace('/', '-')}-${crypto().randomBytes(6).toString('hex')}`,
  );
  const file = join(config.uploadDir, name);
  await io.createFile(temporary, req.body);
  try {
    // The look that decides and the rename hold the area's lock, so that of two PUTs
    // racing for the last room, one sees the other's upload.
    return await withAreaLock(io, config.uploadDir, async () => {
      const full = await areaFull(io, config, name, req.body.length);
      if (full) {
        await io.removeFile(temporary);
        return full;
      }
      const existed = (await io.stat(file)) !== undefined;
      await io.rename(temporary, file);
      return existed ? reply(204, []) : text(201, `Created /upload/${name}\n`, [['Location', `/upload/${name}`]]);
    });
  } catch (error) {
    await io.removeFile(temporary);
    throw error;
  }
}

/**
 * A 507 when storing `bytes` as upload `name` would pass either bound, else
 * undefined. The uploads count, but the one `name` replaces; temporary files
 * (with `~`) do not: they are uploads under way, each checked when it is renamed.
 */
async function areaFull(io: AppIO, config: AppConfig, name: string, bytes: number): Promise<HttpResponse | undefined> {
  const maxBytes = config.maxUploadAreaBytes ?? uploadAreaDefaults.maxUploadAreaBytes;
  const maxFiles = config.maxUploadFiles ?? uploadAreaDefaults.maxUploadFiles;
  let total = bytes;
  let files = 1;
  for (const entry of await io.listFiles(config.uploadDir)) {
    if (entry.name === name || entry.name.includes('~')) continue;
    total += entry.size;
    files++;
  }
  if (total <= maxBytes && files <= maxFiles) return undefined;
  return text(507, `The upload area is full: it holds at most ${maxBytes} bytes in ${maxFiles} files.\n`);
}

/** The lock file of an upload area: created exclusively, so one PUT at a time holds it, in any process. */
const lockName = '~lock';
const lockPollMs = 1;
/** A lock held this long belongs to a process that died holding it (the work under it takes a few ms). */
const staleLockMs = 5_000;

/** Run `work` holding the area's lock; the file system is the one thing prefork's and CGI's processes share. */
async function withAreaLock<T>(io: AppIO, dir: string, work: () => Promise<T>): Promise<T> {
  const lock = join(dir, lockName);
  let waitedMs = 0;
  for (;;) {
    try {
      await io.createFile(lock, new Uint8Array(0));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (waitedMs >= staleLockMs) {
      await io.removeFile(lock);
      waitedMs = 0;
      continue;
    }
    await io.wait(lockPollMs);
    waitedMs += lockPollMs;
  }
  try {
    return await work();
  } finally {
    await io.removeFile(lock);
  }
}

/** PUT, GET and DELETE /upload/<name>: a size-limited upload area in the config's folder. */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { getHeader, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import type { AppConfig } from './config.ts';
import type { AppIO } from './io.ts';
import { reply, servedBy, text } from './responses.ts';

/** Names an upload may have: no separators, no dot-only names, and never a temporary file's `~`. */
const validName = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,128}$/;

export async function upload(req: HttpRequest, io: AppIO, config: AppConfig, name: string): Promise<HttpResponse> {
  if (!validName.test(name)) return text(400, 'Upload names are 1 to 128 of [A-Za-z0-9._-].\n');
  const file = join(config.uploadDir, name);
  switch (req.method) {
    case 'PUT': {
      const framed =
        getHeader(req.headers, 'content-length') !== undefined ||
        getHeader(req.headers, 'transfer-encoding') !== undefined;
      if (!framed) return text(411, 'PUT needs Content-Length or chunked framing.\n');
      if (req.body.length > config.maxUploadBytes)
        return text(413, `Uploads are limited to ${config.maxUploadBytes} bytes.\n`);
      // Written whole under a name no request can address, then renamed over the upload in one
      // step: concurrent PUTs never splice into one file, and a GET reads one version or the other.
      const temporary = join(
        config.uploadDir,
        `${name}~${servedBy.replace('/', '-')}-${randomBytes(6).toString('hex')}`,
      );
      await io.createFile(temporary, req.body);
      try {
        const existed = (await io.stat(file)) !== undefined;
        await io.rename(temporary, file);
        return existed ? reply(204, []) : text(201, `Created /upload/${name}\n`, [['Location', `/upload/${name}`]]);
      } catch (error) {
        await io.removeFile(temporary);
        throw error;
      }
    }
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

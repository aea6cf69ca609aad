/**
 * GET and HEAD /static/<path>: files under the document root with MIME type,
 * validators (ETag, Last-Modified) and conditional requests, single byte ranges,
 * and gzip by Accept-Encoding. Paths are decoded once and confined to the root.
 * A large body is answered as a file range that the connection's side streams (file-body.ts).
 * The asynchronous models look files up through an open-file cache (file-cache.ts);
 * the synchronous ones (blocking, process-per-request) stat and read every time.
 */
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { getHeader, type HeaderList, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import { zlib } from './builtins.ts';
import type { AppConfig } from './config.ts';
import { defaultMaxInMemoryBodyBytes, type FileBody, type FileResponse } from './file-body.ts';
import { FileCache } from './file-cache.ts';
import type { AppIO, FileInfo } from './io.ts';
import { isCompressible, mimeType } from './mime.ts';
import { expiresAfter, reply, text } from './responses.ts';

/** How long a cache may reuse a static answer without asking again. */
const maxAgeSeconds = 60;
const cacheControl = `public, max-age=${maxAgeSeconds}`;
/** Files up to this size have their gzipped body cached (per config, keyed by path, mtime and size). */
const gzipCacheLimit = 256 * 1024;
/** Files up to this size are gzipped, in memory and in one go; larger ones are sent as they are, with ranges. */
const gzipMaxBytes = 1024 * 1024;

/** Per-config state: the root's real path, the gzip cache, the open-file caches. Dies with its config. */
interface SiteState {
  realRoot: string;
  gzipped: Map<string, Buffer>;
  /** One open-file cache per asynchronous I/O that serves this config (a server's, or a worker's). */
  files: WeakMap<AppIO, FileCache>;
}
const states = new WeakMap<AppConfig, SiteState>();

function stateOf(config: AppConfig): SiteState {
  let state = states.get(config);
  if (!state) {
    let realRoot: string;
    try {
      realRoot = realpathSync(config.root);
    } catch {
      realRoot = config.root;
    }
    state = { realRoot, gzipped: new Map(), files: new WeakMap() };
    states.set(config, state);
  }
  return state;
}

/**
 * The open-file cache for `io`, or undefined for synchronous I/O: a blocking model's
 * reads stay its own (and a process-per-request child would never see a hit).
 */
function filesOf(state: SiteState, io: AppIO): FileCache | undefined {
  if (io.kind !== 'async') return undefined;
  let files = state.files.get(io);
  if (!files) {
    files = new FileCache(io);
    state.files.set(io, files);
  }
  return files;
}

/**
 * The file path for the raw (undecoded) path below /static/, or a status when it
 * must not be served: 400 for bad percent-encoding, 403 for anything that tries to
 * leave the root (`..` segments, encoded dots, slashes or backslashes, NUL).
 */
export function resolveStaticPath(root: string, rawPath: string): string | 400 | 403 {
  // Encoded separators and dots would change meaning after decoding: refuse them outright.
  if (/%(2e|2f|5c|00)/i.test(rawPath)) return 403;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return 400;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return 403;
  const segments = decoded.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return 403;
  if (segments.some((s) => s === '')) return 403;
  return root + sep + segments.join(sep);
}

/** Which language variant of a negotiated resource a file is (GET / picks one by Accept-Language). */
export interface LanguageVariant {
  language: string;
}

export async function serveStatic(
  req: HttpRequest,
  io: AppIO,
  config: AppConfig,
  rawPath: string,
  variant?: LanguageVariant,
): Promise<HttpResponse> {
  const state = stateOf(config);
  const file = resolveStaticPath(config.root, rawPath);
  if (file === 400) return text(400, 'Bad percent-encoding in the path.\n');
  if (file === 403) return text(403, 'Forbidden path.\n');
  const files = filesOf(state, io);
  const info = files ? await files.stat(file) : await io.stat(file);
  if (!info) return text(404, 'Not found.\n');
  // A symlink inside the root may point anywhere: serve only what really lies inside.
  if (!info.realPath.startsWith(state.realRoot + sep)) return text(403, 'Forbidden path.\n');

  const type = mimeType(file);
  const compressible = isCompressible(type) && info.size <= gzipMaxBytes;
  // Each variant has its own validator, even if two variants' files had one size and time.
  const etag = variant === undefined ? etagOf(info) : `${etagOf(info).slice(0, -1)}-${variant.language}"`;
  const lastModified = new Date(info.mtimeMs).toUTCString();
  const headers: HeaderList = [
    ['Content-Type', type],
    ['ETag', etag],
    ['Last-Modified', lastModified],
    ['Cache-Control', cacheControl],
    ['Expires', expiresAfter(maxAgeSeconds)],
  ];
  // Vary names every request header the choice of representation depended on.
  const vary = [...(variant ? ['Accept-Language'] : []), ...(compressible ? ['Accept-Encoding'] : [])];
  if (vary.length > 0) headers.push(['Vary', vary.join(', ')]);
  if (variant) headers.push(['Content-Language', variant.language]);

  if (notModified(req, etag, info)) return reply(304, headers);

  const range = getHeader(req.headers, 'range');
  const ifRange = getHeader(req.headers, 'if-range');
  if (range !== undefined && (ifRange === undefined || ifRange === etag || ifRange === lastModified)) {
    const wanted = parseRange(range, info.size);
    if (wanted === 'unsatisfiable') {
      headers.push(['Content-Range', `bytes */${info.size}`]);
      return reply(416, headers, 'Range not satisfiable.\n');
    }
    if (wanted) {
      headers.push(
        ['Content-Range', `bytes ${wanted.start}-${wanted.end - 1}/${info.size}`],
        ['Accept-Ranges', 'bytes'],
      );
      return send(req, io, files, config, 206, headers, file, info, wanted);
    }
  }
  headers.push(['Accept-Ranges', 'bytes']);

  if (compressible && acceptsGzip(getHeader(req.headers, 'accept-encoding'))) {
    const key = `${file}\0${info.mtimeMs}\0${info.size}`;
    let body = state.gzipped.get(key);
    if (!body) {
      // A HEAD reads the file too, here only: the length of a gzipped body is known once it is made.
      const plain = files ? await files.read(file, 0, info.size) : await io.readFile(file);
      if (!plain) return gone();
      body = zlib().gzipSync(plain);
      if (info.size <= gzipCacheLimit) state.gzipped.set(key, body);
    }
    headers.push(['Content-Encoding', 'gzip']);
    // A gzipped representation has its own validator.
    headers[1] = ['ETag', `${etag.slice(0, -1)}-gzip"`];
    return reply(200, headers, body);
  }
  return send(req, io, files, config, 200, headers, file, info, { start: 0, end: info.size });
}

/**
 * Answer with bytes [start, end) of a file. A HEAD reads nothing: its Content-Length comes from
 * the stat (the serializer keeps one the application sets). A GET of a body up to
 * `maxInMemoryBodyBytes` reads it and sends it in one write, its length measured from what was
 * read; a larger one is answered with the descriptor of its bytes, which the side that holds the
 * socket streams in bounded chunks (file-body.ts).
 */
async function send(
  req: HttpRequest,
  io: AppIO,
  files: FileCache | undefined,
  config: AppConfig,
  status: 200 | 206,
  headers: HeaderList,
  file: string,
  info: FileInfo,
  range: { start: number; end: number },
): Promise<HttpResponse> {
  const { start, end } = range;
  if (req.method === 'HEAD') {
    headers.push(['Content-Length', String(end - start)]);
    return reply(status, headers);
  }
  if (end - start > (config.maxInMemoryBodyBytes ?? defaultMaxInMemoryBodyBytes)) {
    headers.push(['Content-Length', String(end - start)]);
    const { size, mtimeMs } = info;
    const body: FileBody = { kind: 'file', path: file, start, end, size, mtimeMs, io: io.kind };
    const answer: FileResponse = { ...reply(status, headers), file: body };
    return answer;
  }
  const bytes = files ? await files.read(file, start, end) : await io.readFile(file, start, end);
  if (bytes === undefined) return gone();
  return reply(status, headers, bytes);
}

/** The file was removed between its stat and its read: for the client, it is not there. */
const gone = (): HttpResponse => text(404, 'Not found.\n');

/** A strong validator from size and modification time, as most servers derive it. */
export function etagOf(info: FileInfo): string {
  return `"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
}

/** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). */
function notModified(req: HttpRequest, etag: string, info: FileInfo): boolean {
  const ifNoneMatch = getHeader(req.headers, 'if-none-match');
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === '*') return true;
    const bare = etag.slice(1, -1);
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim().replace(/^W\//, '');
      return t === etag || t === `"${bare}-gzip"`;
    });
  }
  const since = getHeader(req.headers, 'if-modified-since');
  if (since === undefined) return false;
  const time = Date.parse(since);
  return !Number.isNaN(time) && Math.floor(info.mtimeMs / 1000) * 1000 <= time;
}

/**
 * One `bytes=` range as [start, end), 'unsatisfiable', or undefined to ignore the
 * header (bad syntax, other units, several ranges: a full 200 is a valid answer).
 */
export function parseRange(value: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!match) return undefined;
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return undefined;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Number(last);
  if (last !== '' && end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) + 1 };
}

/** Whether Accept-Encoding allows gzip (present and not `q=0`). */
export function acceptsGzip(value: string | undefined): boolean {
  if (value === undefined) return false;
  for (const part of value.split(',')) {
    const [coding = '', ...params] = part.split(';');
    const name = coding.trim().toLowerCase();
    if (name !== 'gzip' && name !== 'x-gzip' && name !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  }
  return false;
}

/**
 * node-http: the reference peer. The same application, served through Node's own
 * HTTP server (llhttp) with the asynchronous I/O, so that every figure of the
 * event-loop core can be read against what node:http does on the same route.
 */
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { handleRequest } from '../app/app.ts';
import { asyncIO } from '../app/async-io.ts';
import { poolDatabase } from '../app/db/pool-database.ts';
import { fileToSend } from '../app/file-body.ts';
import type { AppIO } from '../app/io.ts';
import type { AppConfig } from '../app/config.ts';
import { getHeader, type HeaderList, type HttpRequest } from '../protocol/types.ts';
import type { CoreOptions, RunningServer, ServerCore } from '../cores/types.ts';

export const nodeHttpPeer: ServerCore = {
  name: 'node-http',
  summary: "reference peer: the same application through Node's node:http server (llhttp)",
  start: startNodeHttp,
};

async function startNodeHttp(options: CoreOptions): Promise<RunningServer> {
  const config: AppConfig = {
    root: options.root,
    uploadDir: options.uploadDir,
    maxUploadBytes: options.maxUploadBytes,
    credentials: options.credentials,
    database: options.database,
  };
  // One asynchronous pool of database connections, as the event-loop core has.
  const database = config.database && poolDatabase(config.database);
  const io: AppIO = database ? { ...asyncIO, database } : asyncIO;
  const maxBody = options.limits.maxBodyBytes;
  const server = createServer(
    {
      maxHeaderSize: options.limits.maxHeaderBytes,
      keepAliveTimeout: options.keepAliveTimeoutMs,
      headersTimeout: options.headersTimeoutMs,
    },
    (req, res) => {
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBody) return refuse(res, 413);
      // GET and HEAD rarely carry a body: answer without waiting for 'end' (the hot path).
      if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
        void respond(req, res, emptyBody, io, config);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBody) {
          req.removeAllListeners('data');
          refuse(res, 413);
        } else chunks.push(chunk);
      });
      req.on('end', () => {
        if (size <= maxBody) void respond(req, res, Buffer.concat(chunks, size), io, config);
      });
    },
  );
  server.maxHeadersCount = options.limits.maxHeaderCount;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('node-http: no TCP address');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // close() stops accepting and resolves once every connection is gone; idle ones go now,
        // busy ones after their response, and any left after the drain timeout are cut.
        const cut = setTimeout(() => server.closeAllConnections(), options.drainTimeoutMs).unref();
        server.close(() => {
          clearTimeout(cut);
          void (database?.close() ?? Promise.resolve()).then(resolve);
        });
        server.closeIdleConnections();
      }),
  };
}

const emptyBody = new Uint8Array(0);

async function respond(
  req: IncomingMessage,
  res: ServerResponse,
  body: Uint8Array,
  io: AppIO,
  config: AppConfig,
): Promise<void> {
  const response = await handleRequest(toHttpRequest(req, body), io, config);
  const fields: string[] = [];
  for (const [name, value] of response.headers) fields.push(name, value);
  const bytes = typeof response.body === 'string' ? Buffer.from(response.body) : response.body;
  const bodiless = response.status === 204 || response.status === 304;
  // The application gives the length of a HEAD's body, and of a body in a file, which node:http streams.
  if (!bodiless && getHeader(response.headers, 'content-length') === undefined)
    fields.push('Content-Length', String(bytes.byteLength));
  res.writeHead(response.status, fields);
  const file = fileToSend(response, req.method ?? 'GET');
  // A client that leaves mid-way (or a file that is gone) ends the pipeline: both streams are destroyed.
  if (file !== undefined)
    return pipeline(createReadStream(file.path, { start: file.start, end: file.end - 1 }), res).catch(() => {});
  // node:http drops the body itself for HEAD, 204 and 304.
  res.end(bodiless ? undefined : bytes);
}

function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
  res.end('Request body too large.\n');
}

/** node:http's message as the protocol layer's plain request. */
function toHttpRequest(req: IncomingMessage, body: Uint8Array): HttpRequest {
  const target = req.url ?? '/';
  // Absolute-form (`http://host/path?q`): keep only the path and query, as our parser does.
  const origin =
    target.startsWith('/') || target === '*' ? target : target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '') || '/';
  const q = origin.indexOf('?');
  const raw = req.rawHeaders;
  const headers: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) headers.push([raw[i] as string, raw[i + 1] as string]);
  return {
    method: req.method ?? 'GET',
    target,
    path: q < 0 ? origin : origin.slice(0, q),
    query: q < 0 ? '' : origin.slice(q + 1),
    versionMajor: req.httpVersionMajor,
    versionMinor: req.httpVersionMinor,
    headers,
    trailers: [],
    body,
    keepAlive: req.headers.connection?.toLowerCase() !== 'close',
    upgrade: false,
  };
}

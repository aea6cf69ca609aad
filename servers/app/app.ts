/**
 * The application every core serves, written once against AppIO: request in,
 * response out. Cores differ only in how they schedule the I/O this asks for.
 * The serializer adds Date, Server, Content-Length and Connection; everything
 * else is chosen here. Every response carries X-Served-By (pid/threadId).
 */
import { getHeader, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import { privatePage } from './auth.ts';
import type { AppConfig } from './config.ts';
import { cpuDigest, maxCpuUnits } from './cpu.ts';
import { serveDatabase } from './db/routes.ts';
import { serveIndex } from './index-page.ts';
import type { AppIO } from './io.ts';
import { boundedInt, constant, queryParam, reply, text } from './responses.ts';
import { findRoute, knownMethods, serverAllow, type Route } from './routes.ts';
import { serveStatic } from './static-files.ts';
import { sessionPage } from './sessions.ts';
import { upload } from './uploads.ts';

/** Longest simulated backend wait GET /io accepts, in ms. */
export const maxIoMs = 60_000;

const hello = constant(200, 'text/plain; charset=utf-8', 'Hello, World!');
const json = constant(200, 'application/json', '{"message":"Hello, World!"}');

/**
 * The answer to a request for one of the two benchmarked constant routes, built without a
 * promise; undefined for any other request. `handleRequest` answers them the same: a core
 * whose handler runs on its own thread (the event loop) asks this first, and writes the
 * answer without a turn of promise continuations.
 */
export function answerAtOnce(req: HttpRequest): HttpResponse | undefined {
  if (req.method !== 'GET' || !hasHost(req)) return undefined;
  const path = req.path;
  return path === '/hello' ? hello() : path === '/json' ? json() : undefined;
}

export async function handleRequest(req: HttpRequest, io: AppIO, config: AppConfig): Promise<HttpResponse> {
  try {
    return answerAtOnce(req) ?? (await dispatch(req, io, config));
  } catch (error) {
    // The cause goes to the server's log only: an error's message names the server's
    // folders and files (`ENOENT ... open '/tmp/...'`), which no client is to learn.
    process.emitWarning(`handler failed: ${(error as Error)?.message ?? String(error)}`);
    return text(500, 'Internal error.\n');
  }
}

async function dispatch(req: HttpRequest, io: AppIO, config: AppConfig): Promise<HttpResponse> {
  const method = req.method;
  if (!hasHost(req)) return text(400, 'HTTP/1.1 requests need a Host header.\n');
  if (!knownMethods.has(method)) return text(501, `Method ${method} is not implemented.\n`, [['Allow', serverAllow]]);
  if (req.path === '*') {
    if (method === 'OPTIONS') return reply(204, [['Allow', serverAllow]]);
    return text(400, 'The target * is only for OPTIONS.\n');
  }
  const route = findRoute(req.path);
  if (!route) return text(404, 'Not found.\n');
  if (method === 'OPTIONS') return reply(204, [['Allow', route.allow]]);
  // TRACE is refused everywhere: reflecting requests enables cross-site tracing.
  if (!route.methods.includes(method)) return text(405, `${method} is not allowed here.\n`, [['Allow', route.allow]]);
  return serve(route, req, io, config);
}

function hasHost(req: HttpRequest): boolean {
  if (req.versionMajor !== 1 || req.versionMinor === 0) return true;
  return getHeader(req.headers, 'host') !== undefined;
}

async function serve(route: Route, req: HttpRequest, io: AppIO, config: AppConfig): Promise<HttpResponse> {
  switch (route.name) {
    case 'hello':
      return hello();
    case 'json':
      return json();
    case 'cpu': {
      const units = boundedInt(queryParam(req.query, 'units'), maxCpuUnits);
      if (units === undefined) return text(400, `units must be an integer from 0 to ${maxCpuUnits}.\n`);
      return reply(
        200,
        [
          ['Content-Type', 'text/plain; charset=utf-8'],
          ['Cache-Control', 'no-store'],
        ],
        cpuDigest(units),
      );
    }
    case 'io': {
      const ms = boundedInt(queryParam(req.query, 'ms'), maxIoMs);
      if (ms === undefined) return text(400, `ms must be an integer from 0 to ${maxIoMs}.\n`);
      await io.wait(ms);
      return reply(
        200,
        [
          ['Content-Type', 'text/plain; charset=utf-8'],
          ['Cache-Control', 'no-store'],
        ],
        `waited ${ms} ms\n`,
      );
    }
    case 'echo':
      return reply(
        200,
        [
          ['Content-Type', getHeader(req.headers, 'content-type') ?? 'application/octet-stream'],
          ['Cache-Control', 'no-store'],
        ],
        req.body,
      );
    case 'index':
      return serveIndex(req, io, config);
    case 'static':
      return serveStatic(req, io, config, req.path.slice('/static/'.length));
    case 'upload':
      return upload(req, io, config, req.path.slice('/upload/'.length));
    case 'redirect-permanent':
      return text(301, 'Moved to /hello\n', [['Location', '/hello']]);
    case 'redirect-temporary':
      return text(302, 'Found at /hello\n', [['Location', '/hello']]);
    case 'private':
      return privatePage(req, config);
    case 'session':
      return sessionPage(req, config);
    case 'db':
    case 'queries':
    case 'fortunes':
    case 'updates':
    case 'cached-queries':
      return serveDatabase(route.name, req, io.database);
  }
}

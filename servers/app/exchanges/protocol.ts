/** Redirects, Basic authentication, OPTIONS, and the methods and paths the application refuses. */
import type { Exchange } from './types.ts';
import { servedBy, basic } from './shared.ts';

export const protocolRows: readonly Exchange[] = [
  {
    name: 'GET /redirect/permanent',
    method: 'GET',
    path: '/redirect/permanent',
    expect: { status: 301, headers: { location: '/hello' } },
  },
  {
    name: 'GET /redirect/temporary',
    method: 'GET',
    path: '/redirect/temporary',
    expect: { status: 302, headers: { location: '/hello' } },
  },
  {
    name: 'GET /private without credentials',
    method: 'GET',
    path: '/private',
    expect: { status: 401, headers: { 'www-authenticate': 'Basic realm="server-models", charset="UTF-8"' } },
  },
  {
    name: 'GET /private with wrong credentials',
    method: 'GET',
    path: '/private',
    headers: { authorization: basic('demo:wrong') },
    expect: { status: 401 },
  },
  {
    name: 'GET /private with demo:demo',
    method: 'GET',
    path: '/private',
    headers: { authorization: basic('demo:demo') },
    expect: { status: 200, body: 'Hello, demo!\n' },
  },
  {
    name: 'OPTIONS *',
    method: 'OPTIONS',
    path: '*',
    expect: { status: 204, headers: { allow: 'GET, HEAD, POST, PUT, DELETE, OPTIONS' } },
  },
  {
    name: 'OPTIONS /upload/x',
    method: 'OPTIONS',
    path: '/upload/x',
    expect: { status: 204, headers: { allow: 'GET, HEAD, PUT, DELETE, OPTIONS' } },
  },
  {
    name: 'TRACE gives 405',
    method: 'TRACE',
    path: '/hello',
    expect: { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } },
  },
  {
    name: 'DELETE /hello gives 405',
    method: 'DELETE',
    path: '/hello',
    expect: { status: 405, headers: { allow: 'GET, HEAD, OPTIONS' } },
  },
  { name: 'an unknown method gives 501', method: 'PROPFIND', path: '/hello', expect: { status: 501 } },
  {
    name: 'an unknown path gives 404',
    method: 'GET',
    path: '/nowhere',
    expect: { status: 404, headers: { 'x-served-by': servedBy } },
  },
];

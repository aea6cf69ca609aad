/** Uploads: PUT, GET and DELETE under /upload/, in table order. */
import type { Exchange } from './types.ts';
import { defaultMaxUploadBytes as maxUploadBytes } from '../config.ts';
import { uploadBody } from './shared.ts';

export const uploadRows: readonly Exchange[] = [
  {
    name: 'PUT /upload/a.txt creates',
    method: 'PUT',
    path: '/upload/exchange-a.txt',
    body: uploadBody,
    expect: { status: 201, headers: { location: '/upload/exchange-a.txt' } },
  },
  {
    name: 'PUT /upload/a.txt again replaces',
    method: 'PUT',
    path: '/upload/exchange-a.txt',
    body: uploadBody,
    expect: { status: 204, body: '' },
  },
  {
    name: 'GET /upload/a.txt',
    method: 'GET',
    path: '/upload/exchange-a.txt',
    expect: { status: 200, body: uploadBody },
  },
  { name: 'DELETE /upload/a.txt', method: 'DELETE', path: '/upload/exchange-a.txt', expect: { status: 204 } },
  {
    name: 'DELETE /upload/a.txt again gives 404',
    method: 'DELETE',
    path: '/upload/exchange-a.txt',
    expect: { status: 404 },
  },
  { name: 'GET a missing upload gives 404', method: 'GET', path: '/upload/exchange-a.txt', expect: { status: 404 } },
  {
    name: 'an upload name outside [A-Za-z0-9._-] gives 400',
    method: 'PUT',
    path: '/upload/bad%20name',
    body: 'x',
    expect: { status: 400 },
  },
  {
    name: 'an upload over the limit gives 413',
    method: 'PUT',
    path: '/upload/too-big.bin',
    body: new Uint8Array(maxUploadBytes + 1),
    expect: { status: 413 },
  },
];

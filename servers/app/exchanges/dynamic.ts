/** The dynamic routes: /hello, /json, /cpu, /io, /echo. */
import type { Exchange } from './types.ts';
import { cpuDigest } from '../cpu.ts';
import { plain, servedBy } from './shared.ts';

export const dynamicRows: readonly Exchange[] = [
  {
    name: 'GET /hello',
    method: 'GET',
    path: '/hello',
    expect: {
      status: 200,
      headers: { 'content-type': plain, 'x-served-by': servedBy, 'content-length': '13' },
      body: 'Hello, World!',
    },
  },
  {
    name: 'HEAD /hello',
    method: 'HEAD',
    path: '/hello',
    expect: { status: 200, headers: { 'content-length': '13' }, body: '' },
  },
  {
    name: 'GET /json',
    method: 'GET',
    path: '/json',
    expect: { status: 200, headers: { 'content-type': /^application\/json/ }, body: '{"message":"Hello, World!"}' },
  },
  {
    name: 'GET /cpu?units=3',
    method: 'GET',
    path: '/cpu?units=3',
    expect: { status: 200, headers: { 'content-type': plain }, body: cpuDigest(3) },
  },
  { name: 'GET /cpu without units', method: 'GET', path: '/cpu', expect: { status: 400 } },
  { name: 'GET /cpu?units=-1', method: 'GET', path: '/cpu?units=-1', expect: { status: 400 } },
  { name: 'GET /io?ms=10', method: 'GET', path: '/io?ms=10', expect: { status: 200, body: 'waited 10 ms\n' } },
  { name: 'GET /io?ms=abc', method: 'GET', path: '/io?ms=abc', expect: { status: 400 } },
  {
    name: 'POST /echo',
    method: 'POST',
    path: '/echo',
    headers: { 'content-type': 'application/x-test' },
    body: 'echo me',
    expect: { status: 200, headers: { 'content-type': 'application/x-test' }, body: 'echo me' },
  },
  { name: 'GET /echo', method: 'GET', path: '/echo', expect: { status: 405, headers: { allow: 'POST, OPTIONS' } } },
];

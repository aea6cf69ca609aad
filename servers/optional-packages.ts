/**
 * The packages a server needs for some of its features only, loaded on first
 * use rather than at start. Imported up front, pg, @redis/client, esbuild and
 * piscina cost every server start about 380 ms on this machine (of ~500 ms to
 * "listening" for the event loop), though an event loop serving `hello` uses
 * none of them, and the quick profile starts a server 123 times. All four are
 * CommonJS, so a synchronous `require` keeps their callers synchronous.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** PostgreSQL's client (the database scenarios, the setup of a database). */
export const loadPg = (): typeof import('pg') => require('pg') as typeof import('pg');

/** A Redis client (filling and checking a cache server; serving goes through our own RESP client). */
export const loadRedisClient = (): typeof import('@redis/client') =>
  require('@redis/client') as typeof import('@redis/client');

/** esbuild (the worker-pool's worker and process-per-request's child are bundled at the server's start). */
export const loadEsbuild = (): typeof import('esbuild') => require('esbuild') as typeof import('esbuild');

/** piscina (the worker-pool's threads). */
export const loadPiscina = (): typeof import('piscina') => require('piscina') as typeof import('piscina');

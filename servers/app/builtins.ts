/**
 * Node modules that only some requests need, loaded on first use rather than
 * when the application loads: a process-per-request child loads the
 * application for every request, and crypto and zlib (with the streams zlib
 * pulls in) were a measured share of its start (docs/models/process-per-request.md).
 */

/** node:crypto: session MACs, upload names, constant-time compares. */
export const crypto = (): typeof import('node:crypto') => process.getBuiltinModule('node:crypto');

/** node:zlib: gzip of static files. */
export const zlib = (): typeof import('node:zlib') => process.getBuiltinModule('node:zlib');

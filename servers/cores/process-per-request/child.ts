/**
 * The program the process-per-request core starts for every request, as a web
 * server starts a CGI program: it reads one framed request on standard input,
 * runs the application with blocking I/O, writes one framed response on
 * standard output and exits. Bundled to plain JavaScript (see ../bundle.ts), and
 * started by child-launcher.ts from V8's code cache of the bundle (code-cache.ts).
 */
import { readFileSync, writeSync } from 'node:fs';
import { handleRequest } from '../../app/app.ts';
import { connectionDatabase } from '../../app/db/connection-database.ts';
import { syncIO } from '../../app/sync-io.ts';
import { decodeFrame, encodeResponse, type RequestFrame } from './framing.ts';

// Bundled as CommonJS (the fastest start), so no top-level await.
async function main(): Promise<void> {
  // Standard input and output by their file descriptors, synchronously: process.stdin and
  // process.stdout would load Node's stream machinery, a measured share of the child's start.
  const frame = decodeFrame<RequestFrame>(readFileSync(0));
  if (frame === undefined) {
    process.stderr.write('process-per-request child: no whole request frame on standard input\n');
    process.exit(2);
  }
  // As a CGI program does: a connection of its own to the database, opened if this request asks it.
  const { config } = frame.meta;
  const database = config.database && connectionDatabase(config.database);
  const io = database ? { ...syncIO, database } : syncIO;
  const response = await handleRequest({ ...frame.meta.request, body: frame.body }, io, config);
  await database?.close();
  writeAll(1, encodeResponse(response));
}

/** writeSync may write less than asked to a pipe: go on until every byte is out. */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

void main();

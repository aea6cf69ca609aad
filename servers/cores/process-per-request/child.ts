/**
 * The program the process-per-request core starts for every request, as a web
 * server starts a CGI program: it reads one framed request on standard input,
 * runs the application with blocking I/O, writes one framed response on
 * standard output and exits. Bundled to plain JavaScript (see ../bundle.ts).
 */
import { handleRequest } from '../../app/app.ts';
import { syncIO } from '../../app/sync-io.ts';
import { decodeFrame, encodeFrame, type RequestFrame, type ResponseFrame } from './framing.ts';

// Bundled as CommonJS (the fastest start), so no top-level await.
async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const frame = decodeFrame<RequestFrame>(Buffer.concat(chunks));
  if (frame === undefined) {
    process.stderr.write('process-per-request child: no whole request frame on standard input\n');
    process.exit(2);
  }
  const response = await handleRequest({ ...frame.meta.request, body: frame.body }, syncIO, frame.meta.config);
  // Writes to a pipe are synchronous on Linux: the response is out before the process ends.
  process.stdout.write(
    encodeFrame({ status: response.status, headers: response.headers } satisfies ResponseFrame, response.body),
  );
}

void main();

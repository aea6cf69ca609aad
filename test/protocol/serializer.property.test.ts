/**
 * Serializer output, read back by an independent parser (Node's own llhttp in
 * response mode), gives back the response that was serialized.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { serializeResponse } from '../../servers/protocol/serializer.ts';

const numRuns = Number(process.env.FUZZ_RUNS ?? 150);
const require = createRequire(import.meta.url);
// biome-ignore lint/suspicious/noExplicitAny: node:http's internal binding has no published types.
const { HTTPParser } = require('node:_http_common') as { HTTPParser: any };

interface Read {
  status: number;
  headers: string[];
  body: Buffer;
  complete: boolean;
}

function readResponse(bytes: Buffer, method: string): Read {
  const parser = new HTTPParser();
  parser.initialize(HTTPParser.RESPONSE, {});
  const read: Read = { status: 0, headers: [], body: Buffer.alloc(0), complete: false };
  const body: Buffer[] = [];
  parser[HTTPParser.kOnHeadersComplete] = (
    _a: number,
    _b: number,
    headers: string[],
    _m: number,
    _u: string,
    status: number,
  ) => {
    read.status = status;
    read.headers = headers;
    return method === 'HEAD' ? 1 : 0; // 1: skip the body, as node:http does for HEAD
  };
  parser[HTTPParser.kOnBody] = (chunk: Buffer) => body.push(Buffer.from(chunk));
  parser[HTTPParser.kOnMessageComplete] = () => {
    read.complete = true;
  };
  const result = parser.execute(bytes);
  if (result instanceof Error) throw result;
  if (!read.complete) parser.finish();
  read.body = Buffer.concat(body);
  return read;
}

const headerValue = fc
  .array(
    fc.integer({ min: 0x20, max: 0x7e }).map((b) => String.fromCharCode(b)),
    { maxLength: 20 },
  )
  .map((s) => s.join('').trim());
const headerName = fc.constantFrom('Content-Type', 'X-Trace', 'Cache-Control', 'ETag', 'Vary');

describe('serializeResponse properties', () => {
  it('is read back by llhttp as the same status, headers and body', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(200, 201, 204, 206, 301, 304, 400, 404, 413, 500, 503),
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 }),
        fc.oneof(
          fc.string({ maxLength: 200 }),
          fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        ),
        fc.constantFrom('GET', 'HEAD', 'POST'),
        fc.boolean(),
        fc.boolean(),
        (status, headers, body, method, keepAlive, chunked) => {
          const all: [string, string][] = chunked ? [...headers, ['Transfer-Encoding', 'chunked']] : headers;
          const bytes = serializeResponse({ status, headers: all, body }, { method, keepAlive, versionMinor: 1 });
          const read = readResponse(bytes, method);
          assert.equal(read.status, status);
          for (let k = 0; k < headers.length; k++) {
            assert.deepEqual([read.headers[2 * k], read.headers[2 * k + 1]], headers[k]);
          }
          const names = read.headers.filter((_, k) => k % 2 === 0).map((n) => n.toLowerCase());
          assert.ok(names.includes('date') && names.includes('server'));
          assert.equal(names.includes('connection'), !keepAlive);
          const noBody = method === 'HEAD' || status === 204 || status === 304;
          const expected = noBody ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
          assert.equal(read.body.toString('hex'), expected.toString('hex'));
        },
      ),
      { numRuns },
    );
  });
});

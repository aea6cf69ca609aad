/**
 * The whole-head path (servers/protocol/whole-head.ts) must accept exactly what the byte-level
 * states of head.ts accept, build the same request and, when it declines, leave the same error
 * to them. The oracle needs no seam: an empty line before a request (RFC 9112 §2.2) sends the
 * same bytes, in the same push, through the states alone, two bytes further into the stream.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RequestParser } from '../../servers/protocol/parser.ts';
import type { ParserLimits } from '../../servers/protocol/types.ts';

const numRuns = Number(process.env.FUZZ_RUNS ?? 300);

/** What one push of `bytes` gives: the requests as plain data, the error's code and stream offset. */
function outcome(bytes: Buffer, limits?: Partial<ParserLimits>, shift = 0): unknown {
  const parser = new RequestParser(limits);
  const requests = parser.push(bytes).map((r) => ({ ...r, body: Buffer.from(r.body).toString('latin1') }));
  const error = parser.error;
  return { requests, code: error?.code, offset: error === undefined ? undefined : error.offset - shift };
}

/** The whole-head path's outcome and the states' outcome for the same head. */
function bothPaths(bytes: Buffer, limits?: Partial<ParserLimits>): [unknown, unknown] {
  const states = outcome(Buffer.concat([Buffer.from('\r\n'), bytes]), limits, 2);
  return [outcome(bytes, limits), states];
}

function agree(text: string | Buffer, limits?: Partial<ParserLimits>): void {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  const [whole, states] = bothPaths(bytes, limits);
  assert.deepEqual(whole, states, JSON.stringify(bytes.toString('latin1')));
}

const browserGet =
  'GET /a/b?c=d#e HTTP/1.1\r\nHost: www.example.com:8080\r\nConnection: keep-alive\r\n' +
  'Accept: text/html,*/*;q=0.8\r\nUser-Agent: Mozilla/5.0 (X11)\r\n\r\n';

describe('whole-head path', () => {
  it('builds the request the byte-level states build', () => {
    agree(browserGet);
    agree('GET / HTTP/1.0\r\n\r\n');
    agree('OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n');
    agree('GET http://h/p?q HTTP/1.1\r\nHost: h\r\n\r\n');
    agree('POST /echo HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello');
    agree('POST /echo HTTP/1.1\r\nContent-Length: 000000000000000000005\r\n\r\nhello');
    agree('POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n');
    agree('GET / HTTP/1.1\r\nX:\r\nY: \t a \t \r\nZ:\t\r\nO: caf\xe9 \x80\xff\r\n\r\n');
    agree('GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\n\r\n');
    agree('GET / HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x00\x01');
    agree('GET / HTTP/1.1\r\nHost: [::1]:80\r\nHost-Name: x\r\n\r\n');
    agree(`GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(40)}\r\n`.repeat(3));
  });

  it('declines what the states reject, leaving them the same code at the same offset', () => {
    for (const text of [
      'PRI * HTTP/1.1\r\n\r\n',
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      'GET / HTTP/1.2\r\n\r\n',
      'GET / HTTP/2.0\r\n\r\n',
      'GET  / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1 \r\n\r\n',
      'GET / HTTP/1.1\n\r\n',
      'GET /\x7f HTTP/1.1\r\n\r\n',
      'GET /\x80 HTTP/1.1\r\n\r\n',
      'G@T / HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nA : b\r\n\r\n',
      'GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n',
      'GET / HTTP/1.1\r\nA: b\rc\r\n\r\n',
      'GET / HTTP/1.1\r\nA: b\nc\r\n\r\n',
      'GET / HTTP/1.1\r\nA: b\x00\r\n\r\n',
      'GET / HTTP/1.1\r\nA: b\x7f\r\n\r\n',
      'GET / HTTP/1.1\r\nA\x80: b\r\n\r\n',
      'GET / HTTP/1.1\r\n: b\r\n\r\n',
      'GET / HTTP/1.1\r\nA: b\r\n\r\r\n',
      'GET / HTTP/1.1\r\nA: b\r\n\n',
      'GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a b\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: a:8o\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: \r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: 1234567890123456\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: 0001234567890123456\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: x\r\n\r\n',
      'GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\nx',
      'GET / HTTP/1.1\r\nContent-Length: x\r\nHost: a\r\nHost: b\r\n\r\n',
      'GET / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n',
      'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n',
      'GET foo HTTP/1.1\r\n\r\n',
      'GET * HTTP/1.1\r\n\r\n',
      'GET / HTTP/1.1\r\nA: b\r\n',
      'GET / HTTP/1.1\r\nA: b\r\n\r',
      'GET / HTTP/1.1\r\nA: b',
      'GET / HTTP/1.1',
      'GET',
    ]) {
      agree(text);
    }
  });

  it('applies the limits where the states do, at their bounds', () => {
    const line = (n: number): string => `GET /${'a'.repeat(n - 15)} HTTP/1.1\r\n`;
    for (const n of [63, 64, 65]) agree(`${line(n)}\r\n`, { maxRequestLineBytes: 64 });
    const fields = (n: number): string => `GET / HTTP/1.1\r\nA: ${'b'.repeat(n - 7)}\r\n\r\n`;
    for (const n of [63, 64, 65]) agree(fields(n), { maxHeaderBytes: 64 });
    for (const n of [3, 4, 5]) agree(`GET / HTTP/1.1\r\n${'A: b\r\n'.repeat(n)}\r\n`, { maxHeaderCount: 4 });
    agree(`GET / HTTP/1.1\r\nContent-Length: x\r\n${'A: b\r\n'.repeat(5)}\r\n`, { maxHeaderCount: 4 });
    agree(`${line(70)}Host: a\r\nHost: b\r\n\r\n`, { maxRequestLineBytes: 64 });
  });

  it('agrees with the states on mutated heads, byte for byte', () => {
    const heads = fc.constantFrom(
      browserGet,
      'POST /x HTTP/1.0\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nabc',
      'PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: h\r\n\r\n1\r\nx\r\n0\r\n\r\n',
      'OPTIONS * HTTP/1.1\r\nUpgrade: h2c\r\nConnection: Upgrade, close\r\n\r\n',
    );
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'insert', 'delete'),
      byte: fc.oneof(
        fc.constantFrom(0, 9, 10, 13, 32, 0x2a, 0x2f, 0x30, 0x31, 0x3a, 0x41, 0x50, 0x7f, 0x80, 0xff),
        fc.integer({ min: 0, max: 255 }),
      ),
    });
    const limits = fc.constantFrom<Partial<ParserLimits> | undefined>(undefined, {
      maxRequestLineBytes: 20,
      maxHeaderBytes: 60,
      maxHeaderCount: 2,
    });
    fc.assert(
      fc.property(heads, fc.array(mutation, { maxLength: 4 }), limits, (head, mutations, limit) => {
        const bytes = [...Buffer.from(head, 'latin1')];
        for (const { at, kind, byte } of mutations) {
          const k = at % (bytes.length + 1);
          if (kind === 'replace') bytes[k] = byte;
          else if (kind === 'insert') bytes.splice(k, 0, byte);
          else bytes.splice(k, 1);
        }
        agree(Buffer.from(bytes), limit);
      }),
      { numRuns },
    );
  });
});

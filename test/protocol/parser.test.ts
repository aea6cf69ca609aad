import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpParseError } from '../../servers/protocol/errors.ts';
import { RequestParser } from '../../servers/protocol/parser.ts';
import type { HttpRequest, ParserLimits } from '../../servers/protocol/types.ts';

function parse(
  text: string | Buffer,
  limits?: Partial<ParserLimits>,
): { requests: HttpRequest[]; parser: RequestParser } {
  const parser = new RequestParser(limits);
  const requests = parser.push(typeof text === 'string' ? Buffer.from(text, 'latin1') : text);
  return { requests, parser };
}

function parseBytewise(
  text: string,
  limits?: Partial<ParserLimits>,
): { requests: HttpRequest[]; parser: RequestParser } {
  const parser = new RequestParser(limits);
  const requests: HttpRequest[] = [];
  const bytes = Buffer.from(text, 'latin1');
  for (let k = 0; k < bytes.length; k++) requests.push(...parser.push(bytes.subarray(k, k + 1)));
  return { requests, parser };
}

function rejects(text: string, code: string, status: number, limits?: Partial<ParserLimits>): HttpParseError {
  for (const run of [parse, parseBytewise]) {
    const { requests, parser } = run(text, limits);
    assert.equal(requests.length, 0, `${code}: no request before the error`);
    assert.ok(parser.error instanceof HttpParseError, `expected ${code}, got no error`);
    assert.equal(parser.error.code, code);
    assert.equal(parser.error.status, status);
  }
  return parse(text, limits).parser.error!;
}

describe('RequestParser', () => {
  it('parses a GET with its target split and headers trimmed, in order, with raw names', () => {
    const { requests, parser } = parse(
      'GET /a/b?x=1&y=2 HTTP/1.1\r\nHost: example\r\nX-Thing: \t spaced value \t\r\n\r\n',
    );
    assert.equal(requests.length, 1);
    const [request] = requests;
    assert.equal(request!.method, 'GET');
    assert.equal(request!.target, '/a/b?x=1&y=2');
    assert.equal(request!.path, '/a/b');
    assert.equal(request!.query, 'x=1&y=2');
    assert.deepEqual(request!.headers, [
      ['Host', 'example'],
      ['X-Thing', 'spaced value'],
    ]);
    assert.equal(request!.keepAlive, true);
    assert.equal(request!.body.length, 0);
    assert.ok(parser.idle);
    assert.equal(parser.inHead, false);
  });

  it('splits absolute-form and keeps asterisk-form and authority-form whole', () => {
    assert.equal(parse('GET http://h:8/p/q?z HTTP/1.1\r\n\r\n').requests[0]!.path, '/p/q');
    assert.equal(parse('GET http://h:8/p/q?z HTTP/1.1\r\n\r\n').requests[0]!.query, 'z');
    assert.equal(parse('GET http://h:8 HTTP/1.1\r\n\r\n').requests[0]!.path, '/');
    assert.equal(parse('OPTIONS * HTTP/1.1\r\n\r\n').requests[0]!.path, '*');
    const connect = parse('CONNECT h:443 HTTP/1.1\r\n\r\nTUNNEL');
    assert.equal(connect.requests[0]!.path, 'h:443');
    assert.equal(connect.requests[0]!.upgrade, true);
    assert.equal(connect.parser.stoppedAt, 'CONNECT h:443 HTTP/1.1\r\n\r\n'.length);
  });

  it('yields the same requests whether fed whole or one byte at a time, pipelined', () => {
    const stream =
      'GET / HTTP/1.1\r\nHost: a\r\n\r\n' +
      'POST /p HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello' +
      'PUT /c HTTP/1.1\r\nTransfer-Encoding: gzip-not, chunked\r\n\r\n'.replace('gzip-not, ', '') +
      '5;name="quoted;value"\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n' +
      'GET /last HTTP/1.1\r\nConnection: close\r\n\r\n';
    const whole = parse(stream);
    const bytewise = parseBytewise(stream);
    assert.equal(whole.requests.length, 4);
    assert.deepEqual(bytewise.requests, whole.requests);
    assert.equal(Buffer.from(whole.requests[1]!.body).toString(), 'hello');
    assert.equal(Buffer.from(whole.requests[2]!.body).toString(), 'hello world');
    assert.deepEqual(whole.requests[2]!.trailers, [['X-Trailer', 't']]);
    assert.equal(whole.requests[3]!.keepAlive, false);
    assert.ok(whole.parser.idle);
  });

  it('reads chunked bodies that outgrow their first buffer, each request with its own bytes', () => {
    // Chunk sizes straddle the body buffer's first size (4 KiB) and its doublings.
    const sizes = [1, 4095, 3000, 9000, 17];
    const total = sizes.reduce((a, b) => a + b, 0);
    const body = (fill: number): Buffer => Buffer.from(Array.from({ length: total }, (_, k) => (k * 7 + fill) % 251));
    const request = (bytes: Buffer): Buffer => {
      const parts: Buffer[] = [Buffer.from('POST /u HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n')];
      let at = 0;
      for (const size of sizes) {
        parts.push(Buffer.from(`${size.toString(16)}\r\n`), bytes.subarray(at, at + size), Buffer.from('\r\n'));
        at += size;
      }
      parts.push(Buffer.from('0\r\n\r\n'));
      return Buffer.concat(parts);
    };
    const [first, second] = [body(1), body(2)];
    const stream = Buffer.concat([request(first), request(second)]);
    const whole = parse(stream).requests;
    const parser = new RequestParser();
    const pieces: HttpRequest[] = [];
    for (let k = 0; k < stream.length; k += 1000) pieces.push(...parser.push(stream.subarray(k, k + 1000)));
    for (const requests of [whole, pieces]) {
      assert.equal(requests.length, 2);
      assert.ok(Buffer.from(requests[0]!.body).equals(first));
      assert.ok(Buffer.from(requests[1]!.body).equals(second));
    }
  });

  it('stops after a request that closes the connection and ignores what follows', () => {
    const { requests, parser } = parse('GET / HTTP/1.0\r\n\r\nGET /ignored HTTP/1.1\r\n\r\n');
    assert.equal(requests.length, 1);
    assert.equal(requests[0]!.keepAlive, false);
    assert.equal(parser.stoppedAt, 18);
    assert.deepEqual(parser.push(Buffer.from('GET / HTTP/1.1\r\n\r\n')), []);
    assert.equal(parser.error, undefined);
  });

  it('keeps an HTTP/1.0 connection open only with Connection: keep-alive', () => {
    assert.equal(parse('GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n').requests[0]!.keepAlive, true);
    assert.equal(parse('GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n').requests[0]!.keepAlive, false);
  });

  it('reports inHead while a head is arriving, and idle only between requests', () => {
    const parser = new RequestParser();
    assert.ok(parser.idle);
    parser.push(Buffer.from('GET / HT'));
    assert.ok(parser.inHead);
    assert.equal(parser.idle, false);
    parser.push(Buffer.from('TP/1.1\r\nContent-Length: 4\r\n\r\nab'));
    assert.equal(parser.inHead, false);
    assert.equal(parser.idle, false);
    assert.equal(parser.push(Buffer.from('cd')).length, 1);
    assert.ok(parser.idle);
  });

  it('rejects framing and syntax that RFC 9112 forbids, with stable codes and statuses', () => {
    rejects('GET / HTTP/1.1\r\nHost : x\r\n\r\n', 'HEADER_NAME_WHITESPACE', 400);
    rejects('GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n', 'OBS_FOLD', 400);
    rejects('GET / HTTP/1.1\r\nA: b\rC: d\r\n\r\n', 'BARE_CR', 400);
    rejects('GET / HTTP/1.1\nA: b\n\n', 'BARE_LF', 400);
    rejects('GET / HTTP/1.1\r\nA: b\x00c\r\n\r\n', 'INVALID_HEADER_VALUE', 400);
    rejects('G(T / HTTP/1.1\r\n\r\n', 'INVALID_METHOD', 400);
    rejects('GET /a b HTTP/1.1\r\n\r\n', 'INVALID_VERSION', 400);
    rejects('GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n', 'CONTENT_LENGTH_CONFLICT', 400);
    rejects('GET / HTTP/1.1\r\nContent-Length: +1\r\n\r\n', 'INVALID_CONTENT_LENGTH', 400);
    rejects('GET / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n', 'INVALID_CONTENT_LENGTH', 400);
    rejects(
      'POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n',
      'TE_WITH_CONTENT_LENGTH',
      400,
    );
    rejects('POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', 'TE_NOT_CHUNKED', 400);
    rejects('POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n', 'UNSUPPORTED_TRANSFER_CODING', 501);
    // Only SP and HTAB are OWS: NBSP (0xA0) after chunked makes another coding, as llhttp says.
    rejects('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\xa0\r\n\r\n', 'TE_NOT_CHUNKED', 400);
    rejects('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n', 'INVALID_CHUNK_SIZE', 400);
    rejects('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n', 'INVALID_CHUNK_SIZE', 400, {
      maxBodyBytes: Infinity,
    });
    rejects('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n', 'CHUNK_DATA_NOT_TERMINATED', 400);
    rejects('GET / HTTP/2.0\r\n\r\n', 'UNSUPPORTED_VERSION', 505);
    rejects('GET / HTTP/1.1 \r\n\r\n', 'UNEXPECTED_SPACE', 400);
  });

  it('enforces its limits with 414, 431 and 413', () => {
    rejects(`GET /${'a'.repeat(100)} HTTP/1.1\r\n\r\n`, 'URI_TOO_LONG', 414, { maxRequestLineBytes: 64 });
    rejects(`GET / HTTP/1.1\r\nA: ${'b'.repeat(100)}\r\n\r\n`, 'HEADERS_TOO_LARGE', 431, { maxHeaderBytes: 64 });
    rejects('GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n', 'HEADERS_TOO_LARGE', 431, { maxHeaderCount: 2 });
    rejects('POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n', 'BODY_TOO_LARGE', 413, { maxBodyBytes: 10 });
    rejects('POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdef\r\n6\r\n', 'BODY_TOO_LARGE', 413, {
      maxBodyBytes: 10,
    });
  });

  it('bounds a chunk-size line by its bytes, not by how they arrive: 431 whole, in 1 KiB writes, byte by byte', () => {
    const request = (extension: number): Buffer =>
      Buffer.from(
        `POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;${'a'.repeat(extension)}\r\nx\r\n0\r\n\r\n`,
        'latin1',
      );
    const feedBy = (bytes: Buffer, step: number): RequestParser => {
      const parser = new RequestParser();
      for (let k = 0; k < bytes.length; k += step) parser.push(bytes.subarray(k, k + step));
      return parser;
    };
    const long = request(20_000);
    const offsets = [long.length, 1024, 1].map((step) => {
      const { error } = feedBy(long, step);
      assert.equal(error?.code, 'HEADERS_TOO_LARGE', `in writes of ${step}`);
      assert.equal(error.status, 431);
      return error.offset;
    });
    assert.deepEqual(new Set(offsets).size, 1, `the same offset at every step: ${offsets}`);
    // The bound is the header section's: a line of exactly maxHeaderBytes passes, one byte more does not.
    const within = request(16 * 1024 - 2);
    for (const step of [within.length, 1024, 1]) assert.equal(feedBy(within, step).error, undefined);
    for (const step of [within.length + 1, 1024, 1])
      assert.equal(feedBy(request(16 * 1024 - 1), step).error?.code, 'HEADERS_TOO_LARGE');
  });

  it('gives the stream offset of the offending byte', () => {
    const error = rejects('GET / HTTP/1.1\r\nHost : x\r\n\r\n', 'HEADER_NAME_WHITESPACE', 400);
    assert.equal(error.offset, 'GET / HTTP/1.1\r\nHost'.length);
  });

  it('still returns the requests completed before an error, then ignores input', () => {
    const parser = new RequestParser();
    const requests = parser.push(Buffer.from('GET / HTTP/1.1\r\n\r\nGET / HTTP/1.1\r\nBad Name: x\r\n\r\n'));
    assert.equal(requests.length, 1);
    assert.equal(parser.error?.code, 'HEADER_NAME_WHITESPACE');
    assert.deepEqual(parser.push(Buffer.from('GET / HTTP/1.1\r\n\r\n')), []);
  });

  it('accepts any method token (the server answers 501 for ones it does not know)', () => {
    assert.equal(parse('BREW /pot HTTP/1.1\r\n\r\n').requests[0]!.method, 'BREW');
  });

  it('skips empty lines before a request (RFC 9112 §2.2)', () => {
    assert.equal(parse('\r\n\r\nGET / HTTP/1.1\r\n\r\n').requests.length, 1);
  });

  it('rejects a request-target in no form its method may use, with 400 (RFC 9112 §3.2)', () => {
    rejects('GET x/hello HTTP/1.1\r\nHost: a\r\n\r\n', 'INVALID_TARGET', 400);
    rejects('GET * HTTP/1.1\r\nHost: a\r\n\r\n', 'INVALID_TARGET', 400);
    rejects('OPTIONS *x HTTP/1.1\r\nHost: a\r\n\r\n', 'INVALID_TARGET', 400);
    rejects('GET 1http://h/ HTTP/1.1\r\nHost: a\r\n\r\n', 'INVALID_TARGET', 400);
    rejects('GET ?q HTTP/1.1\r\nHost: a\r\n\r\n', 'INVALID_TARGET', 400);
    const error = rejects('GET x/hello HTTP/1.1\r\nHost: a\r\n\r\n', 'INVALID_TARGET', 400);
    assert.equal(error.offset, 'GET '.length);
    for (const line of ['GET /x', 'OPTIONS *', 'GET http://h/p', 'GET svn+ssh.v2-x://h/p', 'CONNECT h:443']) {
      const { requests, parser } = parse(`${line} HTTP/1.1\r\nHost: h\r\n\r\n`);
      assert.equal(parser.error, undefined, line);
      assert.equal(requests.length, 1, line);
    }
  });

  it('rejects a second Host field line and a Host that is not host[:port], with 400 (RFC 9112 §3.2)', () => {
    rejects('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 'DUPLICATE_HOST', 400);
    rejects('GET / HTTP/1.1\r\nHost: a\r\nX: y\r\nhost: a\r\n\r\n', 'DUPLICATE_HOST', 400);
    rejects('GET / HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n', 'DUPLICATE_HOST', 400);
    for (const host of ['a b@c', 'a@b', 'a:b', 'a:80:90', '[::1', '[]', '[::1]x', 'a%zz', 'a%4', 'a/b', 'a"b']) {
      rejects(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 'INVALID_HOST', 400);
    }
    const error = rejects('GET / HTTP/1.1\r\nHost: a b@c\r\n\r\n', 'INVALID_HOST', 400);
    assert.equal(error.offset, 'GET / HTTP/1.1\r\nHost: a'.length);
    const hosts = [
      'example.com',
      'example.com:8080',
      'a:',
      '127.0.0.1',
      '[::1]',
      '[::1]:80',
      'a%41b',
      "x-_~!$&'()*+,;=",
    ];
    for (const host of [...hosts, '']) {
      const { requests, parser } = parse(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      assert.equal(parser.error, undefined, host);
      assert.equal(requests[0]!.headers[0]![1], host);
    }
  });

  it('leaves a missing Host to the application: HTTP/1.0 needs none, HTTP/1.1 is answered 400 there', () => {
    // The llhttp vectors (and RFC 9112 §3.2's "MUST respond with 400") put the check after parsing:
    // servers/app answers an HTTP/1.1 request without Host with 400 (test/app/app.test.ts).
    assert.equal(parse('GET / HTTP/1.0\r\n\r\n').parser.error, undefined);
    assert.equal(parse('GET / HTTP/1.1\r\n\r\n').requests.length, 1);
  });

  it('refuses a repeated Content-Length even with the same value, in two field lines or one list (as llhttp)', () => {
    const body = 'hello';
    rejects(`POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n${body}`, 'CONTENT_LENGTH_CONFLICT', 400);
    rejects(`POST / HTTP/1.1\r\nContent-Length: 5\r\ncontent-length: 5\r\n\r\n${body}`, 'CONTENT_LENGTH_CONFLICT', 400);
    rejects(`POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n${body}`, 'INVALID_CONTENT_LENGTH', 400);
    rejects(`POST / HTTP/1.1\r\nContent-Length: 5,5\r\n\r\n${body}`, 'INVALID_CONTENT_LENGTH', 400);
  });
});

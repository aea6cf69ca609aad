import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { completeResponseLength, requestBytes, ResponseError } from '../../bench/counted/client.ts';

const ok = (body: string, extra = ''): Buffer =>
  Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`);

describe('the counted client', () => {
  it('writes Host, the request headers and Content-Length with a body', () => {
    const bytes = requestBytes({ method: 'POST', path: '/echo', body: 'abc' }, '127.0.0.1:8080').toString();
    assert.equal(bytes, 'POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nContent-Length: 3\r\n\r\nabc');
  });

  it('frames a response by Content-Length: incomplete, then complete', () => {
    const whole = ok('Hello, World!');
    assert.equal(completeResponseLength(whole.subarray(0, 10), 'r'), undefined);
    assert.equal(completeResponseLength(whole.subarray(0, whole.length - 1), 'r'), undefined);
    assert.equal(completeResponseLength(whole, 'r'), whole.length);
  });

  it('refuses a status other than 200, chunked framing, no length, and a close', () => {
    assert.throws(() => completeResponseLength(Buffer.from('HTTP/1.1 404 Not Found\r\n\r\n'), 'r'), ResponseError);
    assert.throws(
      () => completeResponseLength(Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), 'r'),
      /Transfer-Encoding/,
    );
    assert.throws(() => completeResponseLength(Buffer.from('HTTP/1.1 200 OK\r\n\r\n'), 'r'), /no Content-Length/);
    assert.throws(() => completeResponseLength(ok('x', 'Connection: close\r\n'), 'r'), /closes/);
  });
});

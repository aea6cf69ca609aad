import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorResponse, reasonPhrase, serializeResponse } from '../../servers/protocol/serializer.ts';

const keep = { method: 'GET', keepAlive: true, versionMinor: 1 };

function split(bytes: Buffer): { head: string[]; body: string } {
  const text = bytes.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, end).split('\r\n'), body: text.slice(end + 4) };
}

describe('serializeResponse', () => {
  it('writes the status line, app headers, Date, Server and Content-Length, then the body', () => {
    const { head, body } = split(
      serializeResponse({ status: 200, headers: [['Content-Type', 'text/plain']], body: 'héllo' }, keep),
    );
    assert.equal(head[0], 'HTTP/1.1 200 OK');
    assert.equal(head[1], 'Content-Type: text/plain');
    assert.match(head[2]!, /^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
    assert.equal(head[3], 'Server: server-models');
    assert.equal(head[4], 'Content-Length: 6');
    assert.equal(Buffer.from(body, 'latin1').toString('utf8'), 'héllo');
  });

  it('says Connection: close when closing, and keep-alive to an HTTP/1.0 client it keeps', () => {
    assert.ok(
      split(serializeResponse(errorResponse(400), { ...keep, keepAlive: false })).head.includes('Connection: close'),
    );
    assert.ok(
      split(serializeResponse(errorResponse(404), { ...keep, versionMinor: 0 })).head.includes(
        'Connection: keep-alive',
      ),
    );
    assert.ok(!split(serializeResponse(errorResponse(404), keep)).head.some((line) => line.startsWith('Connection')));
  });

  it('sends no body for HEAD (but its length), 204 and 304', () => {
    const head = split(serializeResponse({ status: 200, headers: [], body: 'abc' }, { ...keep, method: 'HEAD' }));
    assert.ok(head.head.includes('Content-Length: 3'));
    assert.equal(head.body, '');
    const noContent = split(serializeResponse({ status: 204, headers: [], body: 'abc' }, keep));
    assert.ok(!noContent.head.some((line) => line.startsWith('Content-Length')));
    assert.equal(noContent.body, '');
    assert.equal(split(serializeResponse({ status: 304, headers: [], body: 'abc' }, keep)).body, '');
  });

  it('frames the body as chunks when the application asks for Transfer-Encoding: chunked', () => {
    const { head, body } = split(
      serializeResponse(
        { status: 200, headers: [['Transfer-Encoding', 'chunked']], body: Buffer.from('0123456789abcdefX') },
        keep,
      ),
    );
    assert.ok(!head.some((line) => line.startsWith('Content-Length')));
    assert.equal(body, '11\r\n0123456789abcdefX\r\n0\r\n\r\n');
  });

  it('refuses a header that would split the response', () => {
    assert.throws(
      () => serializeResponse({ status: 200, headers: [['X', 'a\r\nInjected: 1']], body: '' }, keep),
      TypeError,
    );
  });

  it('has RFC 9110 reason phrases', () => {
    assert.equal(reasonPhrase(404), 'Not Found');
    assert.equal(reasonPhrase(431), 'Request Header Fields Too Large');
    assert.equal(reasonPhrase(505), 'HTTP Version Not Supported');
    assert.equal(reasonPhrase(599), 'Server Error');
  });
});

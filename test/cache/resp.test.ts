/**
 * The RESP encoder and decoder of the app's Redis client: every reply type,
 * UTF-8 lengths counted in bytes, and a reply split at every byte is "not yet"
 * until its last byte, then the same value.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeReply, encodeCommand, type RespValue } from '../../servers/app/db/resp.ts';

const replies: Array<[string, string, RespValue]> = [
  ['a simple string', '+OK\r\n', 'OK'],
  ['an integer', ':1000\r\n', 1000],
  ['a bulk string', '$5\r\nhello\r\n', 'hello'],
  ['an empty bulk string', '$0\r\n\r\n', ''],
  ['a bulk string holding CRLF', '$4\r\na\r\nb\r\n', 'a\r\nb'],
  ['no bulk string', '$-1\r\n', null],
  ['a UTF-8 bulk string (length in bytes)', '$5\r\nフ\r\n\r\n', 'フ\r\n'],
  ['an array with a missing key (MGET)', '*3\r\n$2\r\n{}\r\n$-1\r\n$3\r\n[1]\r\n', ['{}', null, '[1]']],
  ['an empty array', '*0\r\n', []],
  ['nested arrays', '*2\r\n*1\r\n:1\r\n+x\r\n', [[1], 'x']],
];

describe('RESP', () => {
  it('encodes a command as an array of bulk strings, lengths in bytes', () => {
    assert.equal(encodeCommand(['MGET', 'a', 'フ']).toString(), '*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$3\r\nフ\r\n');
  });

  for (const [what, wire, value] of replies) {
    it(`decodes ${what}, whole and split at every byte`, () => {
      const bytes = Buffer.from(wire);
      assert.deepEqual(decodeReply(bytes), { value, next: bytes.length });
      for (let cut = 0; cut < bytes.length; cut++)
        assert.equal(decodeReply(bytes.subarray(0, cut)), undefined, `cut ${cut}`);
    });
  }

  it('decodes an error reply as an Error', () => {
    const reply = decodeReply(Buffer.from('-WRONGTYPE Operation against a key\r\n'));
    assert.ok(reply?.value instanceof Error);
    assert.equal(reply.value.message, 'WRONGTYPE Operation against a key');
  });

  it('decodes pipelined replies one after the other', () => {
    const bytes = Buffer.from('+OK\r\n:2\r\n$1\r\nz\r\n');
    const seen: RespValue[] = [];
    for (let at = 0, reply = decodeReply(bytes); reply; reply = decodeReply(bytes, at)) {
      seen.push(reply.value);
      at = reply.next;
    }
    assert.deepEqual(seen, ['OK', 2, 'z']);
  });

  it('refuses a byte that starts no reply', () => {
    assert.throws(() => decodeReply(Buffer.from('?\r\n')), /unexpected reply type/);
  });
});

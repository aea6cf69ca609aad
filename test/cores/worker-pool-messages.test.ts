/**
 * The worker pool's answers cross between its threads as one flat array
 * (`encodeResponses`): each answer comes back as it was sent, through a real
 * structured clone, whatever its body (a string, small bytes packed with the
 * others, a large body of its own, a file descriptor) and in its place (null
 * for an answer already sent late). The application's buffers are left as they were.
 * A constant reply crosses whole once per channel, then as its id, and is decoded to
 * one frozen object, so that the serializer's cached bytes apply to it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileResponse } from '../../servers/app/file-body.ts';
import { packedBodyBytes } from '../../servers/cores/worker-pool/bodies.ts';
import {
  decodeResponses,
  encodeResponses,
  type ReceivedConstants,
  SentConstants,
} from '../../servers/cores/worker-pool/messages.ts';
import type { HttpResponse } from '../../servers/protocol/types.ts';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (body: HttpResponse['body']): string => (typeof body === 'string' ? body : new TextDecoder().decode(body));

/** What the main thread decodes from the worker's encoding, after a clone as postMessage makes. */
const crossed = (responses: Array<HttpResponse | null>): Array<HttpResponse | null> =>
  decodeResponses(structuredClone(encodeResponses(responses)));

describe('worker-pool responses as a flat array', () => {
  it('brings back each answer, null ones in their places', () => {
    const shared = Buffer.from('Hello, World!'); // a view into Buffer's pool, as the constant replies are
    const before = Buffer.from(shared);
    const answers: Array<HttpResponse | null> = [
      { status: 200, headers: [['Content-Type', 'text/plain']], body: shared },
      null,
      { status: 404, headers: [], body: 'not found' },
      {
        status: 201,
        headers: [
          ['A', '1'],
          ['B', '2'],
          ['A', '3'],
        ],
        body: bytes('{"id":1}'),
      },
      { status: 204, headers: [], body: new Uint8Array(0) },
      null,
    ];
    const back = crossed(answers);
    assert.equal(back.length, answers.length);
    for (let k = 0; k < answers.length; k++) {
      const sent = answers[k]!;
      const got = back[k]!;
      if (sent === null) {
        assert.equal(got, null, `answer ${k}`);
        continue;
      }
      assert.equal(got.status, sent.status);
      assert.deepEqual(got.headers, sent.headers);
      assert.equal(typeof got.body, typeof sent.body === 'string' ? 'string' : 'object');
      assert.equal(text(got.body), text(sent.body));
      assert.equal('file' in got, false);
    }
    assert.deepEqual(shared, before);
  });

  it('sends a large body cut from a larger buffer in a buffer of its own', () => {
    const cache = new Uint8Array(4 * packedBodyBytes).map((_, k) => k % 251);
    const range = cache.subarray(10, 10 + 2 * packedBodyBytes);
    const encoded = encodeResponses([{ status: 206, headers: [], body: range }]);
    assert.equal(encoded.pack, undefined);
    assert.equal(encoded.large[0]!.buffer.byteLength, range.byteLength);
    const [got] = decodeResponses(structuredClone(encoded));
    assert.deepEqual(got!.body, range);
  });

  it('keeps a file body descriptor intact', () => {
    const file: FileResponse = {
      status: 200,
      headers: [['Content-Length', '3221225472']],
      body: new Uint8Array(0),
      file: {
        kind: 'file',
        path: '/tmp/large.bin',
        start: 0,
        end: 3221225472,
        size: 3221225472,
        mtimeMs: 1.5,
        io: 'async',
      },
    };
    const [got, next] = crossed([file, { status: 200, headers: [], body: 'after' }]);
    assert.deepEqual((got as FileResponse).file, file.file);
    assert.deepEqual(got!.headers, file.headers);
    assert.equal(next!.body, 'after');
    assert.equal('file' in next!, false);
  });

  it('sends a constant reply whole once, then as its id, and decodes it to one frozen copy', () => {
    const hello = Object.freeze({
      status: 200,
      headers: Object.freeze([['Content-Type', 'text/plain']]) as HttpResponse['headers'],
      body: Buffer.from('Hello, World!'),
    });
    const sent = new SentConstants(512);
    const received: ReceivedConstants = new Map();
    const first = encodeResponses([hello, { status: 404, headers: [], body: 'no' }, hello], sent);
    assert.equal(first.pack!.byteLength, hello.body.byteLength, 'its body packed once');
    const [a, missing, b] = decodeResponses(structuredClone(first), received);
    const second = encodeResponses([hello], sent);
    assert.equal(second.pack, undefined, 'then no body at all');
    const [c] = decodeResponses(structuredClone(second), received);
    assert.ok(Object.isFrozen(a) && a === b && b === c);
    assert.equal(a!.status, 200);
    assert.deepEqual(a!.headers, hello.headers);
    assert.equal(text(a!.body), 'Hello, World!');
    assert.equal(missing!.body, 'no');
    // Another channel (or a decoder that never saw it whole) does not take the id for granted.
    assert.equal(encodeResponses([hello], new SentConstants(768)).fields[1], true);
    assert.throws(() => decodeResponses(structuredClone(second), new Map()), /never sent whole/);
  });
});

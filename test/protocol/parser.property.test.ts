/**
 * Property tests for the parser: splitting never changes the result, what the
 * generator wrote is what the parser reads, and arbitrary or mutated bytes only
 * ever produce typed errors within the limits. `FUZZ_RUNS` raises the number of
 * cases (`npm run test:fuzz`).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { HttpParseError, parseErrorStatus } from '../../servers/protocol/errors.ts';
import { RequestParser } from '../../servers/protocol/parser.ts';
import type { HttpRequest, ParserLimits } from '../../servers/protocol/types.ts';

const numRuns = Number(process.env.FUZZ_RUNS ?? 150);

interface Model {
  method: string;
  target: string;
  headers: [string, string][];
  body: Buffer;
  chunked: boolean;
  minor: 0 | 1;
}

const tchars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".split('');
const token = fc.array(fc.constantFrom(...tchars), { minLength: 1, maxLength: 12 }).map((a) => a.join(''));
const reserved = /^(content-length|transfer-encoding|connection|upgrade)$/i;
const fieldName = token.filter((name) => !reserved.test(name));
const valueChar = fc
  .integer({ min: 0x21, max: 0xff })
  .filter((b) => b !== 0x7f)
  .map((b) => String.fromCharCode(b));
const fieldValue = fc
  .tuple(fc.array(fc.oneof(valueChar, fc.constantFrom(' ', '\t')), { maxLength: 30 }))
  .map(([chars]) => chars.join('').replace(/^[ \t]+|[ \t]+$/g, ''));
const targetChar = fc.integer({ min: 0x21, max: 0x7e }).map((b) => String.fromCharCode(b));
const target = fc.array(targetChar, { maxLength: 40 }).map((a) => `/${a.join('')}`);

const model: fc.Arbitrary<Model> = fc.record({
  method: token.filter((m) => m !== 'CONNECT' && m !== 'PRI'),
  target,
  headers: fc.array(fc.tuple(fieldName, fieldValue), { maxLength: 12 }),
  body: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  chunked: fc.boolean(),
  minor: fc.constant(1 as const),
});

function encode(m: Model, chunkSizes: number[]): Buffer {
  let head = `${m.method} ${m.target} HTTP/1.${m.minor}\r\n`;
  for (const [name, value] of m.headers) head += `${name}: ${value}\r\n`;
  if (!m.chunked) {
    if (m.body.length > 0) head += `Content-Length: ${m.body.length}\r\n`;
    return Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), m.body]);
  }
  const parts: Buffer[] = [Buffer.from(`${head}Transfer-Encoding: chunked\r\n\r\n`, 'latin1')];
  let at = 0;
  let k = 0;
  while (at < m.body.length) {
    const size = Math.max(1, Math.min(m.body.length - at, chunkSizes[k++ % Math.max(1, chunkSizes.length)] ?? 64));
    parts.push(Buffer.from(`${size.toString(16)}\r\n`), m.body.subarray(at, at + size), Buffer.from('\r\n'));
    at += size;
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

function feed(
  bytes: Buffer,
  cuts: number[],
  limits?: Partial<ParserLimits>,
): { requests: HttpRequest[]; parser: RequestParser } {
  const parser = new RequestParser(limits);
  const requests: HttpRequest[] = [];
  let from = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b).concat(bytes.length)) {
    requests.push(...parser.push(bytes.subarray(from, cut)));
    from = cut;
  }
  return { requests, parser };
}

const plain = (requests: HttpRequest[]): unknown =>
  requests.map((r) => ({ ...r, body: Buffer.from(r.body).toString('hex') }));

describe('RequestParser properties', () => {
  it('reads back what was written, whatever the split', () => {
    fc.assert(
      fc.property(
        fc.array(model, { minLength: 1, maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (models, chunkSizes, cuts) => {
          const bytes = Buffer.concat(models.map((m) => encode(m, chunkSizes)));
          const { requests, parser } = feed(bytes, cuts);
          assert.equal(parser.error, undefined, parser.error?.message);
          assert.ok(parser.idle);
          assert.equal(requests.length, models.length);
          models.forEach((m, k) => {
            const r = requests[k]!;
            assert.equal(r.method, m.method);
            assert.equal(r.target, m.target);
            assert.deepEqual(r.headers.slice(0, m.headers.length), m.headers);
            assert.equal(Buffer.from(r.body).toString('hex'), m.body.toString('hex'));
            assert.equal(r.keepAlive, true);
          });
          assert.deepEqual(plain(requests), plain(feed(bytes, []).requests));
        },
      ),
      { numRuns },
    );
  });

  const limits: ParserLimits = { maxRequestLineBytes: 64, maxHeaderBytes: 256, maxHeaderCount: 6, maxBodyBytes: 128 };

  function checkTyped(bytes: Buffer, cuts: number[]): void {
    const whole = feed(bytes, [], limits);
    const split = feed(bytes, cuts, limits);
    const bytewise = feed(
      bytes,
      Array.from({ length: bytes.length }, (_, k) => k),
      limits,
    );
    for (const run of [whole, split, bytewise]) {
      if (run.parser.error !== undefined) {
        assert.ok(run.parser.error instanceof HttpParseError);
        assert.equal(run.parser.error.status, parseErrorStatus[run.parser.error.code]);
        assert.ok(
          run.parser.error.offset >= 0 && run.parser.error.offset <= bytes.length,
          `offset ${run.parser.error.offset}`,
        );
      }
      for (const r of run.requests) {
        assert.ok(r.headers.length <= limits.maxHeaderCount);
        assert.ok(r.body.length <= limits.maxBodyBytes);
        assert.ok(r.method.length + r.target.length + 10 <= limits.maxRequestLineBytes + 2);
      }
    }
    // The fast path (whole lines) and the byte-at-a-time states must agree exactly.
    const context = `input ${JSON.stringify(bytes.toString('latin1'))}: whole ${whole.parser.error?.message}, split ${split.parser.error?.message}, bytewise ${bytewise.parser.error?.message}`;
    assert.deepEqual(plain(split.requests), plain(whole.requests), context);
    assert.deepEqual(plain(bytewise.requests), plain(whole.requests), context);
    // Same verdict at any split. Where an input breaks a limit and the syntax, which is seen first
    // may depend on where a chunk ends (limits are checked at line ends and at the end of a chunk).
    const isLimit = (code: string | undefined): boolean =>
      code === 'URI_TOO_LONG' || code === 'HEADERS_TOO_LARGE' || code === 'BODY_TOO_LARGE';
    for (const other of [split, bytewise]) {
      const a = whole.parser.error?.code;
      const b = other.parser.error?.code;
      assert.equal(a === undefined, b === undefined, context);
      if (!isLimit(a) && !isLimit(b)) assert.equal(b, a, context);
    }
  }

  it('meets random bytes with typed errors only, within the limits, the same at any split', () => {
    const alphabet = fc.oneof(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom(...Buffer.from('GET / HTTP/1.1\r\n: ;\t0aZ')),
    );
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 200 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) =>
        checkTyped(Buffer.from(bytes), cuts),
      ),
      { numRuns },
    );
  });

  it('meets mutated valid streams with typed errors only, within the limits, the same at any split', () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('replace', 'insert', 'delete'),
      byte: fc.constantFrom(0, 9, 10, 13, 32, 0x3a, 0x3b, 0x7f, 0x80, 0x41, 0x30),
    });
    fc.assert(
      fc.property(
        fc.array(model, { minLength: 1, maxLength: 3 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (models, mutations, cuts) => {
          const bytes = [...Buffer.concat(models.map((m) => encode(m, [7, 64])))];
          for (const { at, kind, byte } of mutations) {
            const k = at % (bytes.length + 1);
            if (kind === 'replace') bytes[k] = byte;
            else if (kind === 'insert') bytes.splice(k, 0, byte);
            else bytes.splice(k, 1);
          }
          checkTyped(Buffer.from(bytes), cuts);
        },
      ),
      { numRuns },
    );
  });

  it('bounds a chunk-size line by its length alone: the same verdict, code and offset at any split', () => {
    const maxHeaderBytes = 64;
    const extension = fc.oneof(
      fc.nat({ max: 80 }).map((n) => `;${'a'.repeat(n + 1)}`),
      fc.nat({ max: 80 }).map((n) => `;a=${'b'.repeat(n + 1)}`),
      fc.nat({ max: 80 }).map((n) => `;a="${'c'.repeat(n)}"`),
    );
    fc.assert(
      fc.property(
        fc.array(extension, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (exts, cuts) => {
          const line = `1${exts.join('')}`;
          const bytes = Buffer.from(`POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n${line}\r\nx\r\n0\r\n\r\n`);
          const everyByte = Array.from({ length: bytes.length }, (_, k) => k);
          const runs = [[], cuts, everyByte]
            .map((at) => feed(bytes, at, { maxHeaderBytes }))
            .map(({ requests, parser }) => ({
              requests: requests.length,
              code: parser.error?.code,
              offset: parser.error?.offset,
            }));
          const tooLong = line.length > maxHeaderBytes;
          assert.deepEqual(
            runs[0],
            tooLong
              ? { requests: 0, code: 'HEADERS_TOO_LARGE', offset: runs[0]!.offset }
              : { requests: 1, code: undefined, offset: undefined },
          );
          assert.deepEqual(runs[1], runs[0], line);
          assert.deepEqual(runs[2], runs[0], line);
        },
      ),
      { numRuns },
    );
  });
});

/**
 * Runs llhttp request vectors against our parser: each vector is fed whole,
 * split in two at every byte position, and one byte at a time, and every
 * feeding must give llhttp's outcome. Used by `npm run conformance` and by the
 * conformance test, so both judge the parser the same way.
 */
import { RequestParser } from '../../servers/protocol/parser.ts';
import type { HttpRequest } from '../../servers/protocol/types.ts';
import { skipFor, type Skip } from './skips.ts';
import type { ExpectedMessage, Vector } from './vectors.ts';

/** The outcome of one vector. */
export type VectorResult =
  | { id: string; status: 'passed' }
  | { id: string; status: 'failed'; problem: string }
  | { id: string; status: 'skipped'; skip: Skip };

/** All the results and the counts the summary line prints. */
export interface ConformanceSummary {
  results: VectorResult[];
  passed: number;
  failed: number;
  skipped: number;
}

interface Outcome {
  requests: HttpRequest[];
  parser: RequestParser;
}

/** Feed `raw` in the pieces that start at `cuts` (each a start offset after 0). */
function feed(raw: Buffer, cuts: number[]): Outcome {
  const parser = new RequestParser();
  const requests: HttpRequest[] = [];
  let from = 0;
  for (const cut of [...cuts, raw.length]) {
    requests.push(...parser.push(raw.subarray(from, cut)));
    from = cut;
  }
  return { requests, parser };
}

/** Trailing SP/HTAB are kept by llhttp and removed by us (RFC 9110 §5.5 allows either). */
function trimEnd(value: string): string {
  let end = value.length;
  while (end > 0 && (value.charCodeAt(end - 1) === 0x20 || value.charCodeAt(end - 1) === 0x09)) end--;
  return value.slice(0, end);
}

function compareFields(
  what: string,
  actual: HttpRequest['headers'],
  expected: [string, string][] | undefined,
): string | undefined {
  if (expected === undefined) return undefined;
  const want = expected.map(([name, value]) => [name, trimEnd(value)]);
  if (JSON.stringify(actual) !== JSON.stringify(want))
    return `${what} ${JSON.stringify(actual)} != ${JSON.stringify(want)}`;
  return undefined;
}

function compareMessage(index: number, actual: HttpRequest, expected: ExpectedMessage): string | undefined {
  const prefix = `message ${index}:`;
  const checks: [string, unknown, unknown][] = [
    ['method', actual.method, expected.method],
    ['url', actual.target, expected.url],
    ['versionMajor', actual.versionMajor, expected.versionMajor],
    ['versionMinor', actual.versionMinor, expected.versionMinor],
    ['keepAlive', actual.keepAlive, expected.keepAlive],
  ];
  for (const [name, got, want] of checks) {
    if (want !== undefined && got !== want)
      return `${prefix} ${name} ${JSON.stringify(got)} != ${JSON.stringify(want)}`;
  }
  const fields =
    compareFields('headers', actual.headers, expected.headers) ??
    compareFields('trailers', actual.trailers, expected.trailers);
  if (fields !== undefined) return `${prefix} ${fields}`;
  if (expected.body_base64 !== undefined) {
    const body = Buffer.from(actual.body).toString('base64');
    if (body !== expected.body_base64) return `${prefix} body ${body} != ${expected.body_base64} (base64)`;
  }
  return undefined;
}

/** Compare one feeding's outcome with the vector's expectation; undefined when it matches. */
function judge(vector: Vector, raw: Buffer, { requests, parser }: Outcome): string | undefined {
  const expect = vector.expect;
  const complete = expect.messages.filter((m) => m.complete === true);
  if (!expect.ok) {
    const after = expect.error_after_messages;
    if (expect.error_name === 'HPE_CLOSED_CONNECTION') {
      // llhttp errors on bytes after `Connection: close`; we stop and never read them (the server closes).
      if (parser.stoppedAt === undefined || parser.stoppedAt >= raw.length)
        return 'expected to stop after a closing request with bytes left over';
    } else if (parser.error === undefined) {
      return `accepted input llhttp rejects (${expect.error_name}: ${expect.reason})`;
    }
    if (requests.length !== after) return `${requests.length} requests before the error, expected ${after}`;
    for (let k = 0; k < after; k++) {
      const expected = complete[k];
      const problem = expected && compareMessage(k, requests[k]!, expected);
      if (problem) return problem;
    }
    return undefined;
  }
  if (parser.error !== undefined) return `rejected: ${parser.error.message}`;
  if (requests.length !== complete.length) return `${requests.length} requests, expected ${complete.length}`;
  for (let k = 0; k < complete.length; k++) {
    const problem = compareMessage(k, requests[k]!, complete[k]!);
    if (problem) return problem;
  }
  const last = expect.messages.at(-1);
  if (expect.upgrade_offset !== undefined) {
    if (!requests.at(-1)?.upgrade) return 'last request not marked upgrade';
    if (parser.stoppedAt !== expect.upgrade_offset)
      return `handed over at ${parser.stoppedAt}, expected ${expect.upgrade_offset}`;
  } else if (parser.stoppedAt !== undefined && parser.stoppedAt < raw.length) {
    return `stopped at ${parser.stoppedAt} with bytes llhttp parses`;
  } else if (last !== undefined && last.complete !== true && parser.idle) {
    return 'idle although a request is unfinished';
  }
  if (expect.finish === 'safe' && !parser.idle) return 'not idle where ending the input is safe';
  if (expect.finish === 'unsafe' && parser.idle) return 'idle where ending the input is unsafe';
  return undefined;
}

/** Run one vector: whole, split at every position, byte by byte. */
export function runVector(vector: Vector): VectorResult {
  const skip = skipFor(vector);
  if (skip !== undefined) return { id: vector.id, status: 'skipped', skip };
  const raw = Buffer.from(vector.raw_base64, 'base64');
  const feedings: [string, number[]][] = [['whole', []]];
  for (let cut = 1; cut < raw.length; cut++) feedings.push([`split at ${cut}`, [cut]]);
  feedings.push(['byte by byte', Array.from({ length: Math.max(0, raw.length - 1) }, (_, k) => k + 1)]);
  for (const [how, cuts] of feedings) {
    const problem = judge(vector, raw, feed(raw, cuts));
    if (problem !== undefined) return { id: vector.id, status: 'failed', problem: `${how}: ${problem}` };
  }
  return { id: vector.id, status: 'passed' };
}

/** Run every vector. */
export function runConformance(vectors: Vector[]): ConformanceSummary {
  const results = vectors.map(runVector);
  const count = (status: VectorResult['status']): number => results.filter((r) => r.status === status).length;
  return { results, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

/** The last line of a run: `N passed, N failed` plus `, N skipped` when there are any. */
export function summaryLine(summary: ConformanceSummary): string {
  const line = `${summary.passed} passed, ${summary.failed} failed`;
  return summary.skipped > 0 ? `${line}, ${summary.skipped} skipped` : line;
}

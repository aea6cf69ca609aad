/**
 * A complete head, decoded into the request the parser hands out: one latin1
 * conversion of the head's bytes, with the method, target, names and values cut
 * out of that one string at the offsets head.ts recorded.
 */
import type { ParseState } from './state.ts';
import { EMPTY } from './state.ts';
import { splitTarget } from './target.ts';
import type { HeaderList, HttpRequest } from './types.ts';

/**
 * Buffer's own latin1 decoder, which `toString('latin1', start, end)` reaches through two more
 * calls (its encoding looked up by name each time).
 */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

/** The request whose head ends at `i` (just past its empty line). Its framing is read apart (framing.ts). */
export function headRequest(p: ParseState, buf: Buffer, i: number): HttpRequest {
  const origin = p.start;
  const head = (buf as Latin1Buffer).latin1Slice(origin - p.base, i);
  const target = head.slice(p.targetStart - origin, p.targetEnd - origin);
  const request: HttpRequest = {
    method: head.slice(0, p.methodEnd - origin),
    target,
    path: '',
    query: '',
    versionMajor: p.major,
    versionMinor: p.minor,
    headers: fieldList(head, origin, p.marks, p.markCount),
    trailers: [],
    body: EMPTY,
    keepAlive: true,
    upgrade: false,
  };
  splitTarget(request, target, p.targetStart);
  return request;
}

/** The trailer fields of the section that ends at `i` (just past its empty line). */
export function trailerFields(p: ParseState, buf: Buffer, i: number): HeaderList {
  if (p.markCount === 0) return [];
  const origin = p.fieldsStart;
  return fieldList((buf as Latin1Buffer).latin1Slice(origin - p.base, i), origin, p.marks, p.markCount);
}

/** Cut the field lines out of the decoded section `text`, which starts at stream offset `origin`. */
function fieldList(text: string, origin: number, marks: readonly number[], count: number): HeaderList {
  const fields: HeaderList = new Array(count >> 2);
  for (let k = 0, f = 0; k < count; k += 4, f++) {
    fields[f] = [
      text.slice(marks[k]! - origin, marks[k + 1]! - origin),
      text.slice(marks[k + 2]! - origin, marks[k + 3]! - origin),
    ];
  }
  return fields;
}

/**
 * The parsers the micro-benchmark compares, behind one shape: make a parser for
 * one connection, then feed it a buffer and get back how many requests it
 * completed and how many body bytes it delivered. Each does the work a server
 * needs: method, target, headers as strings, body bytes, keep-alive.
 *
 * Node's own llhttp is reached through `require('_http_common').HTTPParser`,
 * the JavaScript binding node:http itself uses (a public, if undocumented,
 * module: no `process.binding`). Its callbacks are wired as node:http wires
 * them: headers arrive as one flat array of strings at headers-complete.
 */
import { createRequire } from 'node:module';
import { RequestParser } from '../../servers/protocol/parser.ts';

/** What one feed produced. */
export interface FeedResult {
  messages: number;
  bodyBytes: number;
}

/** A parser under test. */
export interface Contender {
  name: 'server-models' | 'llhttp' | 'http-parser-js';
  /** A parser for one keep-alive connection; the returned function feeds it. */
  create(): (bytes: Buffer) => FeedResult;
}

/** The request fields a peer hands over, kept so the work cannot be optimised away. */
export interface PeerRequest {
  method: string;
  url: string;
  headers: string[];
  keepAlive: boolean;
  body: Buffer[];
}

interface BindingParser {
  initialize(type: number, resource: object): void;
  execute(data: Buffer): number | Error;
  [key: number]: unknown;
}

interface BindingClass {
  new (): BindingParser;
  REQUEST: number;
  kOnHeaders: number;
  kOnHeadersComplete: number;
  kOnBody: number;
  kOnMessageComplete: number;
}

const require = createRequire(import.meta.url);

/** A Node-style HTTPParser (llhttp's binding or http-parser-js, which mimics it) with node:http's wiring. */
function bindingContender(name: Contender['name'], Parser: BindingClass, methods: readonly string[]): Contender {
  return {
    name,
    create() {
      const parser = new Parser();
      parser.initialize(Parser.REQUEST, {});
      let messages = 0;
      let bodyBytes = 0;
      let current: PeerRequest | undefined;
      let lastRequest: PeerRequest | undefined;
      parser[Parser.kOnHeaders] = (headers: string[], url: string) => {
        // Only for heads with more than 32 fields (not in these inputs), but wired as node:http does.
        current = { method: '', url, headers, keepAlive: true, body: [] };
      };
      parser[Parser.kOnHeadersComplete] = (
        _major: number,
        _minor: number,
        headers: string[],
        method: number,
        url: string,
        _status: number,
        _message: string,
        _upgrade: boolean,
        keepAlive: boolean,
      ) => {
        current = { method: methods[method]!, url, headers, keepAlive, body: [] };
        return 0;
      };
      parser[Parser.kOnBody] = (chunk: Buffer, start?: number, length?: number) => {
        // llhttp passes a slice; http-parser-js passes (buffer, start, length).
        const piece = start === undefined ? chunk : chunk.subarray(start, start + length!);
        current?.body.push(piece);
        bodyBytes += piece.length;
      };
      parser[Parser.kOnMessageComplete] = () => {
        messages++;
        lastRequest = current;
      };
      return (bytes) => {
        messages = 0;
        bodyBytes = 0;
        const result = parser.execute(bytes);
        if (result instanceof Error) throw result;
        if (lastRequest === undefined) throw new Error(`${name}: no request`);
        return { messages, bodyBytes };
      };
    },
  };
}

export const contenders: Record<Contender['name'], () => Contender> = {
  'server-models': () => ({
    name: 'server-models',
    create() {
      const parser = new RequestParser();
      return (bytes) => {
        const requests = parser.push(bytes);
        if (parser.error) throw parser.error;
        let bodyBytes = 0;
        for (const request of requests) bodyBytes += request.body.length;
        return { messages: requests.length, bodyBytes };
      };
    },
  }),
  llhttp: () => {
    const common = require('node:_http_common') as { HTTPParser: BindingClass; methods: string[] };
    return bindingContender('llhttp', common.HTTPParser, common.methods);
  },
  'http-parser-js': () => {
    const { HTTPParser, methods } = require('http-parser-js') as { HTTPParser: BindingClass; methods: string[] };
    return bindingContender('http-parser-js', HTTPParser, methods);
  },
};

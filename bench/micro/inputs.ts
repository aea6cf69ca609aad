/**
 * The byte streams the parser micro-benchmark feeds every parser. All keep the
 * connection open, so one parser instance reads them again and again, as it
 * would on a keep-alive connection.
 */

/** One input: its bytes and what a correct parse of them yields. */
export interface MicroInput {
  name: 'minimal-get' | 'browser-get' | 'pipelined-16' | 'chunked-post';
  bytes: Buffer;
  /** Requests in the stream. */
  messages: number;
  /** Body bytes in the stream, all requests together. */
  bodyBytes: number;
}

const browserGet =
  'GET /articles/2024/architecture-benchmarks?utm_source=newsletter&utm_medium=email HTTP/1.1\r\n' +
  'Host: www.example.com\r\n' +
  'Connection: keep-alive\r\n' +
  'sec-ch-ua: "Chromium";v="124", "Not-A.Brand";v="99"\r\n' +
  'sec-ch-ua-mobile: ?0\r\n' +
  'sec-ch-ua-platform: "Linux"\r\n' +
  'Upgrade-Insecure-Requests: 1\r\n' +
  'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n' +
  'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n' +
  'Sec-Fetch-Site: same-origin\r\n' +
  'Sec-Fetch-Mode: navigate\r\n' +
  'Referer: https://www.example.com/articles\r\n' +
  'Accept-Encoding: gzip, deflate, br\r\n' +
  'Accept-Language: en-GB,en;q=0.9\r\n' +
  'Cookie: session=6f1c2a9e4b7d; theme=dark\r\n' +
  '\r\n';

const minimalGet = 'GET / HTTP/1.1\r\nHost: a\r\n\r\n';

const pipelinedGet = 'GET /hello HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\nUser-Agent: wrk\r\n\r\n';

function chunkedPost(total: number, chunk: number): string {
  let text =
    'POST /echo HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n';
  for (let sent = 0; sent < total; sent += chunk) {
    const size = Math.min(chunk, total - sent);
    text += `${size.toString(16)}\r\n${'x'.repeat(size)}\r\n`;
  }
  return `${text}0\r\n\r\n`;
}

export const microInputs: readonly MicroInput[] = [
  { name: 'minimal-get', bytes: Buffer.from(minimalGet, 'latin1'), messages: 1, bodyBytes: 0 },
  { name: 'browser-get', bytes: Buffer.from(browserGet, 'latin1'), messages: 1, bodyBytes: 0 },
  { name: 'pipelined-16', bytes: Buffer.from(pipelinedGet.repeat(16), 'latin1'), messages: 16, bodyBytes: 0 },
  { name: 'chunked-post', bytes: Buffer.from(chunkedPost(4096, 1024), 'latin1'), messages: 1, bodyBytes: 4096 },
];

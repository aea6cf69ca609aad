/**
 * RESP2, the protocol Redis speaks, as far as the cache needs it: a command is
 * an array of bulk strings; a reply is a simple string (`+OK`), an error
 * (`-ERR …`), an integer (`:1`), a bulk string (`$3\r\nfoo`, `$-1` for none) or an
 * array of replies (`*2…`). Pure: bytes in, values out, no sockets. A reply split
 * across reads is "not yet complete", never an error.
 */

/** A reply's value; a Redis error is an Error. */
export type RespValue = string | number | null | Error | RespValue[];

/** A command (`['MGET', 'k1', 'k2']`) as the bytes to send. */
export function encodeCommand(args: readonly string[]): Buffer {
  let text = `*${args.length}\r\n`;
  for (const arg of args) text += `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`;
  return Buffer.from(text);
}

/** The reply that starts at `at`, and where the next one starts; undefined while its bytes are not all there. */
export function decodeReply(bytes: Buffer, at = 0): { value: RespValue; next: number } | undefined {
  const end = bytes.indexOf('\r\n', at);
  if (end < 0) return undefined;
  const type = bytes[at];
  const line = bytes.toString('utf8', at + 1, end);
  switch (type) {
    case 0x2b: // '+'
      return { value: line, next: end + 2 };
    case 0x2d: // '-'
      return { value: new Error(line), next: end + 2 };
    case 0x3a: // ':'
      return { value: Number(line), next: end + 2 };
    case 0x24: {
      // '$': a length, then that many bytes and CRLF
      const length = Number(line);
      if (length < 0) return { value: null, next: end + 2 };
      const start = end + 2;
      if (bytes.length < start + length + 2) return undefined;
      return { value: bytes.toString('utf8', start, start + length), next: start + length + 2 };
    }
    case 0x2a: {
      // '*': a count, then that many replies
      const count = Number(line);
      if (count < 0) return { value: null, next: end + 2 };
      const items: RespValue[] = [];
      let next = end + 2;
      for (let i = 0; i < count; i++) {
        const item = decodeReply(bytes, next);
        if (item === undefined) return undefined;
        items.push(item.value);
        next = item.next;
      }
      return { value: items, next };
    }
    default:
      throw new Error(`RESP: unexpected reply type ${JSON.stringify(String.fromCharCode(type ?? 0))}`);
  }
}

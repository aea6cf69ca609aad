/**
 * Byte classes of RFC 9110 / 9112 as lookup tables: one array index per byte is
 * the cheapest test V8 can run in the parser's inner loops.
 */

export const HTAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SP = 0x20;

function table(test: (byte: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let b = 0; b < 256; b++) t[b] = test(b) ? 1 : 0;
  return t;
}

const isAlnum = (b: number): boolean =>
  (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** tchar (RFC 9110 §5.6.2): method and field-name characters. */
export const TCHAR = table((b) => isAlnum(b) || "!#$%&'*+-.^_`|~".includes(String.fromCharCode(b)));

/**
 * Request-target bytes: visible ASCII. Stricter than "anything but SP" on purpose: like
 * llhttp's strict mode it rejects raw bytes >= 0x80 (they must be percent-encoded, RFC 3986).
 */
export const TARGET = table((b) => b >= 0x21 && b <= 0x7e);

/** unreserved and sub-delims (RFC 3986 §2.2, §2.3): a Host's reg-name, but for its percent-encodings. */
export const REG_NAME = table((b) => isAlnum(b) || "-._~!$&'()*+,;=".includes(String.fromCharCode(b)));

/** field-vchar, SP and HTAB (RFC 9110 §5.5): everything allowed in a field value. No controls, no DEL. */
export const VALUE = table((b) => b === HTAB || (b >= 0x20 && b <= 0x7e) || b >= 0x80);

/** Hexadecimal digit values, -1 for other bytes (chunk sizes). */
export const HEX = Int8Array.from({ length: 256 }, (_, b) => {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
});

/**
 * The index of the first byte in buf[i, end) that is not in `table` (1 = in), or `end`. Four
 * bytes a step while all four are in: one exit test per step instead of four (measured: a tenth
 * off browser-get, whose field values are most of its bytes).
 */
export function scan(table: Uint8Array, buf: Uint8Array, i: number, end: number): number {
  while (i + 4 <= end && (table[buf[i]!]! & table[buf[i + 1]!]! & table[buf[i + 2]!]! & table[buf[i + 3]!]!) === 1)
    i += 4;
  while (i < end && table[buf[i]!] === 1) i++;
  return i;
}

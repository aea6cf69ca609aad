/**
 * Cookies as RFC 6265 has a server read and write them: the `Cookie` request
 * header parsed leniently (§5.4: pairs split on `;`, whitespace trimmed, a
 * quoted value unquoted), and a `Set-Cookie` value built strictly (§4.1).
 */
import type { HeaderList } from '../protocol/types.ts';

/**
 * Every cookie of the request, by name. Several `Cookie` fields are joined as one
 * list (an HTTP/2 proxy may split them). The first pair of a name wins: user
 * agents send the cookie with the longest path first (§5.4 step 2). Pairs
 * without `=` or with an empty name are skipped, as browsers do.
 */
export function parseCookies(headers: HeaderList): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const [name, value] of headers) {
    if (name.length !== 6 || name.toLowerCase() !== 'cookie') continue;
    for (const pair of value.split(';')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const key = pair.slice(0, eq).trim();
      if (key === '' || cookies.has(key)) continue;
      let val = pair.slice(eq + 1).trim();
      // cookie-value = *cookie-octet / ( DQUOTE *cookie-octet DQUOTE ): the quotes are not part of the value.
      if (val.length >= 2 && val.startsWith('"') && val.endsWith('"')) val = val.slice(1, -1);
      cookies.set(key, val);
    }
  }
  return cookies;
}

/** Attributes of a cookie this server sets. */
export interface CookieAttributes {
  path?: string;
  httpOnly?: boolean;
  sameSite?: 'Strict' | 'Lax' | 'None';
  maxAgeSeconds?: number;
}

/** cookie-octet (§4.1.1): printable ASCII but space, DQUOTE, comma, semicolon and backslash. */
const cookieOctets = /^[\x21\x23-\x2B\x2D-\x3A\x3C-\x5B\x5D-\x7E]*$/;
/** A token (RFC 9110 §5.6.2), which a cookie name must be. */
const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** A `Set-Cookie` value; throws on a name or value that would need escaping, so nothing can be injected. */
export function setCookie(name: string, value: string, attributes: CookieAttributes = {}): string {
  if (!token.test(name)) throw new TypeError(`cookie name ${JSON.stringify(name)} is not a token`);
  if (!cookieOctets.test(value)) throw new TypeError(`cookie value for ${name} holds characters a cookie cannot`);
  let out = `${name}=${value}`;
  if (attributes.path !== undefined) out += `; Path=${attributes.path}`;
  if (attributes.maxAgeSeconds !== undefined) out += `; Max-Age=${attributes.maxAgeSeconds}`;
  if (attributes.httpOnly) out += '; HttpOnly';
  if (attributes.sameSite !== undefined) out += `; SameSite=${attributes.sameSite}`;
  return out;
}

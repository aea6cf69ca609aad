/**
 * GET /session: a visit counter kept in a signed cookie, so that it needs no
 * state on the server and works whichever process or thread answers the next
 * request (prefork, process-per-request). The cookie is `sid=ID.VISITS.MAC`:
 * a random session id, the count, and an HMAC-SHA256 of both under the
 * server's secret. A cookie whose MAC does not verify (forged, truncated,
 * tampered) starts a new session. Being stateless, an old cookie replayed
 * counts on from its own number: a counter, not a ledger.
 */
import type { HttpRequest, HttpResponse } from '../protocol/types.ts';
import { crypto } from './builtins.ts';
import type { AppConfig } from './config.ts';
import { parseCookies, setCookie } from './cookies.ts';
import { reply } from './responses.ts';

/** The session cookie's name. */
export const sessionCookie = 'sid';

/** The signing key of each config, derived once (a process-per-request child derives it once per request). */
const keys = new WeakMap<AppConfig, Buffer>();

/**
 * The configured secret, or one derived from what every process of a server
 * shares and no client is told: its fresh upload folder (a new temporary folder
 * per server start), document root and credentials. A core that passes a
 * random `sessionSecret` to all its processes makes the key unguessable.
 */
export function sessionKey(config: AppConfig): Buffer {
  let key = keys.get(config);
  if (key === undefined) {
    const material =
      config.sessionSecret ??
      ['derived', config.uploadDir, config.root, config.credentials.user, config.credentials.password].join('\0');
    key = crypto().createHmac('sha256', 'server-models session key').update(material).digest();
    keys.set(config, key);
  }
  return key;
}

const cookieShape = /^([A-Za-z0-9_-]{22})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/;

function mac(key: Buffer, id: string, visits: number): Buffer {
  return crypto().createHmac('sha256', key).update(`${id}.${visits}`).digest();
}

/** The session a cookie value carries, or undefined when it is not one this server signed. */
export function verifySession(value: string | undefined, key: Buffer): { id: string; visits: number } | undefined {
  const match = cookieShape.exec(value ?? '');
  if (!match) return undefined;
  const [, id = '', count = '', signature = ''] = match;
  const visits = Number(count);
  if (!Number.isSafeInteger(visits) || visits < 1) return undefined;
  const given = Buffer.from(signature, 'base64url');
  // Constant-time, so that the answer's timing does not tell how much of a forged MAC was right.
  if (given.length !== 32 || !crypto().timingSafeEqual(given, mac(key, id, visits))) return undefined;
  return { id, visits };
}

/** The cookie value for session `id` at `visits`. */
export function signSession(id: string, visits: number, key: Buffer): string {
  return `${id}.${visits}.${mac(key, id, visits).toString('base64url')}`;
}

export function sessionPage(req: HttpRequest, config: AppConfig): HttpResponse {
  const key = sessionKey(config);
  const session = verifySession(parseCookies(req.headers).get(sessionCookie), key);
  const id = session?.id ?? crypto().randomBytes(16).toString('base64url');
  // The count stops short of where it would stop being exact; a client that gets there has earned it.
  const visits = Math.min((session?.visits ?? 0) + 1, 999_999_999_999_999);
  const cookie = setCookie(sessionCookie, signSession(id, visits, key), {
    path: '/',
    httpOnly: true,
    sameSite: 'Lax',
  });
  return reply(
    200,
    [
      ['Content-Type', 'application/json'],
      ['Set-Cookie', cookie],
      // The answer depends on the cookie: no shared cache may keep it, nor hand it to another client.
      ['Vary', 'Cookie'],
      ['Cache-Control', 'private, no-store'],
    ],
    JSON.stringify({ visits, first: session === undefined }),
  );
}

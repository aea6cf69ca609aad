/** GET /private: HTTP Basic authentication (RFC 7617) against the configured credentials. */
import { getHeader, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import type { AppConfig } from './config.ts';
import { crypto } from './builtins.ts';
import { text } from './responses.ts';

/** The realm named in WWW-Authenticate. */
export const realm = 'server-models';

export function privatePage(req: HttpRequest, config: AppConfig): HttpResponse {
  const user = authenticatedUser(getHeader(req.headers, 'authorization'), config);
  if (user === undefined) {
    return text(401, 'Authentication required.\n', [
      ['WWW-Authenticate', `Basic realm="${realm}", charset="UTF-8"`],
      ['Cache-Control', 'no-store'],
    ]);
  }
  return text(200, `Hello, ${user}!\n`, [['Cache-Control', 'private, no-store']]);
}

/** The user named by a valid `Basic` Authorization value, or undefined. */
export function authenticatedUser(authorization: string | undefined, config: AppConfig): string | undefined {
  const match = /^basic +([A-Za-z0-9+/=]+)$/i.exec(authorization ?? '');
  if (!match?.[1]) return undefined;
  const given = Buffer.from(match[1], 'base64');
  const expected = Buffer.from(`${config.credentials.user}:${config.credentials.password}`);
  // Constant-time comparison, so that the answer's timing does not leak how much of a guess was right.
  if (given.length !== expected.length || !crypto().timingSafeEqual(given, expected)) return undefined;
  return config.credentials.user;
}

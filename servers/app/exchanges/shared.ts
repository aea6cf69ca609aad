/** What the rows of the exchanges table share: the site's bytes, common patterns and cross-header checks. */
import { gunzipSync } from 'node:zlib';
import { siteContents } from '../site.ts';
import type { ResponseHeaders } from './types.ts';

export const site = siteContents();
export const file = (name: string): Buffer => site.get(name) ?? Buffer.alloc(0);
export const plain = /^text\/plain/;
export const servedBy = /^\d+\/\d+$/;
export const basic = (credentials: string): string => `Basic ${Buffer.from(credentials).toString('base64')}`;
export const uploadBody = 'uploaded bytes\n';

/**
 * Expires must be Date plus max-age (RFC 9111 §5.3): the application reads the clock
 * before the serializer stamps Date, so it may be up to 2 s early on a slow path, never late.
 */
export function expiresFromDate(headers: ResponseHeaders): string | undefined {
  const maxAge = /max-age=(\d+)/.exec(String(headers['cache-control'] ?? ''))?.[1];
  if (maxAge === undefined) return 'no max-age in Cache-Control';
  const date = Date.parse(String(headers.date ?? ''));
  const expires = Date.parse(String(headers.expires ?? ''));
  if (Number.isNaN(date)) return `Date ${String(headers.date)} is not an HTTP date`;
  if (Number.isNaN(expires)) return `Expires ${String(headers.expires)} is not an HTTP date`;
  const lead = (expires - date) / 1000 - Number(maxAge);
  return lead <= 0 && lead >= -2 ? undefined : `Expires is Date + max-age ${lead >= 0 ? '+' : ''}${lead} s`;
}
/** A fresh session's cookie: a new id, one visit, its MAC, and attributes that keep it from scripts and other sites. */
export const newSession = /^sid=[A-Za-z0-9_-]{22}\.1\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax$/;

export function gunzipText(body: Uint8Array): string | undefined {
  try {
    return gunzipSync(body).toString();
  } catch {
    return undefined;
  }
}

/**
 * GET /: the index page in the language Accept-Language asks for, among those
 * the document root has a file for (`indexLanguages`). A root with the default
 * file only (a user's own) serves it as it is, with no claim about its language.
 */
import { sep } from 'node:path';
import { getHeader, type HttpRequest, type HttpResponse } from '../protocol/types.ts';
import type { AppConfig } from './config.ts';
import type { AppIO } from './io.ts';
import { negotiateLanguage } from './languages.ts';
import { indexLanguages } from './site.ts';
import { serveStatic } from './static-files.ts';

export async function serveIndex(req: HttpRequest, io: AppIO, config: AppConfig): Promise<HttpResponse> {
  const [fallback = 'en', defaultFile = 'index.html'] = indexLanguages[0] ?? [];
  const present: Array<readonly [string, string]> = [[fallback, defaultFile]];
  for (const entry of indexLanguages.slice(1)) {
    if ((await io.stat(config.root + sep + entry[1])) !== undefined) present.push(entry);
  }
  if (present.length === 1) return serveStatic(req, io, config, defaultFile);
  const language = negotiateLanguage(
    getHeader(req.headers, 'accept-language'),
    present.map(([tag]) => tag),
  );
  const [tag, file] = present.find(([t]) => t === language) ?? [fallback, defaultFile];
  return serveStatic(req, io, config, file, { language: tag });
}

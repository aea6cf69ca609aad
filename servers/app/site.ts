/**
 * The default document root: a small deterministic site generated on first use
 * into the temporary folder (nothing large is committed), written atomically
 * (a fresh folder renamed into place) and reused once complete.
 */
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The site's files by role, as URL paths; the benchmark's static scenarios use these. */
export const siteFiles = Object.freeze({
  index: '/static/index.html',
  css: '/static/style.css',
  json: '/static/data.json',
  small: '/static/1k',
  medium: '/static/16k',
  large: '/static/1M',
});

/**
 * The languages of the index page `GET /` negotiates, the default first, each with
 * its file under the root. A root without a language's file serves the default.
 */
export const indexLanguages: ReadonlyArray<readonly [language: string, file: string]> = Object.freeze([
  ['en', 'index.html'],
  ['zh', 'index.zh.html'],
] as const);

/** Sizes in bytes of the binary files. */
export const siteSizes = Object.freeze({ small: 1024, medium: 16 * 1024, large: 1024 * 1024 });

// v2: the Chinese index page. A new version is a new folder, so an older complete site is never reused.
const version = 'server-models-site-v2';

const indexHtml = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>server-models</title><link rel="stylesheet" href="/static/style.css"></head>
<body>
<h1>server-models</h1>
<p>The default site every model serves. ${'Static files of several sizes, served with ETag, Range and gzip. '.repeat(8)}</p>
<ul><li><a href="/static/1k">1 KiB</a></li><li><a href="/static/16k">16 KiB</a></li><li><a href="/static/1M">1 MiB</a></li></ul>
</body>
</html>
`;
const indexZhHtml = `<!doctype html>
<html lang="zh">
<head><meta charset="utf-8"><title>server-models 服务器模型</title><link rel="stylesheet" href="/static/style.css"></head>
<body>
<h1>server-models 服务器模型</h1>
<p>每种模型都提供的默认站点。${'多种大小的静态文件，支持 ETag、Range 和 gzip。'.repeat(8)}</p>
<ul><li><a href="/static/1k">1 KiB</a></li><li><a href="/static/16k">16 KiB</a></li><li><a href="/static/1M">1 MiB</a></li></ul>
</body>
</html>
`;
const styleCss = `body { font-family: sans-serif; margin: 2em auto; max-width: 40em; }\n${Array.from({ length: 20 }, (_, i) => `.c${i} { margin: ${i}px; }`).join('\n')}\n`;
const dataJson = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `item ${i}` })) });

/** Deterministic bytes from a seeded xorshift32 generator (not compressible, like real media). */
export function seededBytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Every file of the site, by its name under the root. */
export function siteContents(): Map<string, Buffer> {
  return new Map([
    ['index.html', Buffer.from(indexHtml)],
    ['index.zh.html', Buffer.from(indexZhHtml)],
    ['style.css', Buffer.from(styleCss)],
    ['data.json', Buffer.from(dataJson)],
    ['1k', seededBytes(siteSizes.small, 1)],
    ['16k', seededBytes(siteSizes.medium, 16)],
    ['1M', seededBytes(siteSizes.large, 1024)],
  ]);
}

/** The default document root, generated on first use. */
export function ensureDefaultSite(base = tmpdir()): string {
  const root = join(base, version);
  // The marker is written last, so a folder holding it is complete.
  if (existsSync(join(root, '.complete'))) return root;
  mkdirSync(base, { recursive: true });
  const staging = mkdtempSync(join(base, `${version}-`));
  for (const [name, bytes] of siteContents()) writeFileSync(join(staging, name), bytes);
  writeFileSync(join(staging, '.complete'), '');
  try {
    renameSync(staging, root);
  } catch {
    // Another process finished first (or an incomplete folder is in the way): use or replace it.
    if (!existsSync(join(root, '.complete'))) {
      rmSync(root, { recursive: true, force: true });
      renameSync(staging, root);
    } else {
      rmSync(staging, { recursive: true, force: true });
    }
  }
  return root;
}

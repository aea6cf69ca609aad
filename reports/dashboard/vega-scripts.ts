/**
 * The vega, vega-lite and vega-embed browser builds, read from node_modules and
 * inlined as <script> elements, so the dashboard works from file:// and offline.
 * (reports/ has no shared inliner yet; the run report may want this too.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

const builds: [pkg: string, file: string][] = [
  ['vega', 'build/vega.min.js'],
  ['vega-lite', 'build/vega-lite.min.js'],
  ['vega-embed', 'build/vega-embed.min.js'],
];

/** The package's folder: its "exports" hide the browser builds from require.resolve, so find its entry and step up. */
function packageDir(pkg: string): string {
  const entry = require.resolve(pkg);
  const marker = join('node_modules', pkg);
  return entry.slice(0, entry.lastIndexOf(marker) + marker.length);
}

/** The three libraries as inline <script> elements, in load order. */
export function inlineVegaScripts(): string {
  return builds
    .map(([pkg, file]) => {
      // A literal "</script" inside the code would end the element early.
      const code = readFileSync(join(packageDir(pkg), file), 'utf8').replace(/<\/script/gi, '<\\/script');
      return `<script>/* ${pkg}/${file} */\n${code}\n</script>`;
    })
    .join('\n');
}

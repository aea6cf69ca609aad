/**
 * Builds a TypeScript entry (a worker, a per-request child) into one plain
 * JavaScript file with esbuild, so that the thread or process that runs it pays
 * no TypeScript loader: the figures show the model's cost, not tsx's.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { loadEsbuild } from '../optional-packages.ts';

/**
 * Inside the project, so that a package a bundle loads on first use
 * (servers/optional-packages.ts) resolves from the project's node_modules.
 */
const buildDir = fileURLToPath(new URL('../../node_modules/.cache/server-models-build/', import.meta.url));
/** Builds under way in this process: esbuild's service process is stopped when none is. */
let building = 0;

/**
 * Bundle `entry` and return the path of the JavaScript file. A Node process
 * starts faster on CommonJS than on ESM (docs/models/process-per-request.md):
 * the per-request child uses it; the long-lived workers keep ESM. The file is named
 * by the hash of its content: a build whose sources did not change reuses the
 * file already there, and a changed source never runs stale code.
 */
export async function bundleEntry(
  entry: string,
  name: string,
  format: 'esm' | 'cjs' = 'esm',
  options: BundleOptions = {},
): Promise<string> {
  building++;
  try {
    return await bundle(entry, name, format, options);
  } finally {
    // esbuild keeps a service child process for later builds; a server that has started
    // must not leave a child behind when it closes, so stop it once no build needs it.
    if (--building === 0) await loadEsbuild().stop();
  }
}

/** How an entry is built beyond its format. */
export interface BundleOptions {
  /**
   * The entry only ever runs as its process's main thread (a per-request child): `threadId` is 0
   * there, so the bundle answers `node:worker_threads`' `threadId` and `isMainThread` itself
   * rather than load the module, which pulls in some 26 of Node's internal modules at every start
   * (docs/models/process-per-request.md). Any other import of that module fails the build.
   */
  mainThreadOnly?: boolean | undefined;
  /**
   * Minify the bundle: half the bytes for V8 to read and pre-parse at every start, for an entry
   * that starts often (a per-request child: docs/models/process-per-request.md).
   */
  minify?: boolean | undefined;
}

/** `node:worker_threads` as a main thread sees it, for `mainThreadOnly`. */
const mainThread: Plugin = {
  name: 'main-thread',
  setup(build) {
    build.onResolve({ filter: /^node:worker_threads$/ }, () => ({ path: 'worker_threads', namespace: 'main-thread' }));
    build.onLoad({ filter: /.*/, namespace: 'main-thread' }, () => ({
      contents: 'export const threadId = 0;\nexport const isMainThread = true;\n',
      loader: 'js',
    }));
  },
};

async function bundle(entry: string, name: string, format: 'esm' | 'cjs', options: BundleOptions): Promise<string> {
  const result = await loadEsbuild().build({
    plugins: options.mainThreadOnly ? [mainThread] : [],
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
    minify: options.minify === true,
    // CommonJS (the per-request child, run from V8's code cache): `import()` becomes `require`, since a
    // function deserialised from a code cache loses its dynamic-import callback on Node 20 ("A dynamic
    // import callback was not specified"), and the Redis client imports node:net that way.
    ...(format === 'cjs' ? { supported: { 'dynamic-import': false } } : {}),
    write: false,
    logLevel: 'silent',
    // An ESM bundle has no `require`; give one to any CommonJS dependency that calls it.
    banner:
      format === 'esm'
        ? {
            js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
          }
        : {},
  });
  if (result.warnings.length > 0) throw new Error(`bundling ${entry}: ${result.warnings[0]!.text}`);
  const code = result.outputFiles?.[0]?.contents;
  if (code === undefined) throw new Error(`bundling ${entry}: no output`);
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const file = join(buildDir, `${name}-${hash}.${format === 'esm' ? 'mjs' : 'cjs'}`);
  if (!existsSync(file)) {
    mkdirSync(buildDir, { recursive: true });
    // Write then rename, so that a concurrent start never runs a half-written file.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
  }
  return file;
}

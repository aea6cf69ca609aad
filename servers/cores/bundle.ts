/**
 * Builds a TypeScript entry (a worker, a per-request child) into one plain
 * JavaScript file with esbuild, so that the thread or process that runs it pays
 * no TypeScript loader: the figures show the model's cost, not tsx's.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, stop } from 'esbuild';

const buildDir = join(tmpdir(), 'server-models-build');
/** Builds under way in this process: esbuild's service process is stopped when none is. */
let building = 0;

/**
 * Bundle `entry` and return the path of the JavaScript file. A Node process
 * starts faster on CommonJS than on ESM (docs/models/process-per-request.md):
 * the per-request child uses it; the long-lived workers keep ESM. The file is named
 * by the hash of its content: a build whose sources did not change reuses the
 * file already there, and a changed source never runs stale code.
 */
export async function bundleEntry(entry: string, name: string, format: 'esm' | 'cjs' = 'esm'): Promise<string> {
  building++;
  try {
    return await bundle(entry, name, format);
  } finally {
    // esbuild keeps a service child process for later builds; a server that has started
    // must not leave a child behind when it closes, so stop it once no build needs it.
    if (--building === 0) await stop();
  }
}

async function bundle(entry: string, name: string, format: 'esm' | 'cjs'): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format,
    target: 'node20',
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

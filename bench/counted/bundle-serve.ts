/**
 * Builds `servers/serve.ts` into one plain JavaScript file for Valgrind: no tsx
 * loader runs under the instrumentation, so what is counted is the server, not
 * a TypeScript transpiler. The timed runs start their servers from it too
 * (bench/targets/model.ts): a start without tsx is about 0.7 s shorter.
 *
 * Two things differ from `servers/cores/bundle.ts` (which bundles the cores'
 * workers and children at their start, and still does so under Valgrind):
 * - every module keeps its own `import.meta.url`, so that the cores find their
 *   worker and child entries next to their own source, as they do under tsx;
 * - packages stay external and the file is written under the project's
 *   `node_modules/.cache`, so that Node resolves esbuild and piscina (whose
 *   worker script is a file of its own) from the project's node_modules.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop, type Plugin } from 'esbuild';

/** The project's root (this file is bench/counted/bundle-serve.ts). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const serveEntry = join(projectRoot, 'servers', 'serve.ts');
const outDir = join(projectRoot, 'node_modules', '.cache', 'server-models-serve');

/**
 * In each of our TypeScript modules, resolve `new URL(path, import.meta.url)`
 * against that module's own URL (only that form: a string that mentions
 * import.meta.url, as bundle.ts's banner does, is left alone).
 */
const ownModuleUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return {
        contents: source.replace(/new URL\(([^()]*), import\.meta\.url\)/g, `new URL($1, ${url})`),
        loader: 'ts',
      };
    });
  },
};

/**
 * Bundle the serve entry (or another entry of ours run as a process of its own: bench:cores'
 * canned server, bench:micro's child) and return the path of the `.mjs` file. The file is
 * named by the hash of its content: an unchanged build reuses the file, a
 * changed source never runs stale code.
 */
export async function bundleServe(entry = serveEntry): Promise<string> {
  try {
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      write: false,
      logLevel: 'silent',
      plugins: [ownModuleUrl],
    });
    if (result.warnings.length > 0) throw new Error(`bundling ${entry}: ${result.warnings[0]!.text}`);
    const code = result.outputFiles?.[0]?.contents;
    if (code === undefined) throw new Error(`bundling ${entry}: no output`);
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const file = join(outDir, `serve-${hash}.mjs`);
    if (!existsSync(file)) {
      mkdirSync(outDir, { recursive: true });
      // Write then rename, so that a concurrent run never starts a half-written file.
      const partial = `${file}.${process.pid}.tmp`;
      writeFileSync(partial, code);
      renameSync(partial, file);
    }
    return file;
  } finally {
    await stop();
  }
}

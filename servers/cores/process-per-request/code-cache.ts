/**
 * V8's code cache for the per-request child's bundle: the parent compiles the
 * bundle once at start and writes what V8 made of it beside the file; every
 * child then loads its code from that cache instead of parsing 110 KB of
 * JavaScript, which took a fifth of a child's start beyond `node -e 0`
 * (docs/models/process-per-request.md). Node 22 does the same for every module
 * with `module.enableCompileCache()`; Node 20 has no such call, so the child
 * starts through a small launcher (child-launcher.ts) that compiles the bundle
 * as Node's own CommonJS loader would, with the cache. The child still starts
 * fresh: a new process runs the bundle's code from its first line; only the
 * parse is spared. A cache V8 rejects (another V8, other flags) costs nothing
 * but the parse it failed to spare.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { constants, Script } from 'node:vm';

/** Where the code cache of `file` lies. */
const cacheFileOf = (file: string): string => `${file}.v8cache`;

/** The bundle compiled as a CommonJS module's body: one function of Node's five module arguments. */
function compile(file: string, cachedData?: Buffer): Script {
  const source = `(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`;
  return new Script(source, {
    filename: file,
    ...(cachedData && { cachedData }),
    // Should an `import()` reach the bundle (bundle.ts turns them into require for CommonJS: a function
    // from the code cache loses this callback on Node 20), it resolves as it would in a module.
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
}

/** Compile `file` and write its code cache beside it (the parent, once at start; written then renamed). */
export function writeCodeCache(file: string): void {
  const partial = `${cacheFileOf(file)}.${process.pid}.tmp`;
  writeFileSync(partial, compile(file).createCachedData());
  renameSync(partial, cacheFileOf(file));
}

/** Run `file` as this process's main CommonJS module, compiled from its code cache when there is one. */
export function runWithCodeCache(file: string): void {
  let cachedData: Buffer | undefined;
  try {
    cachedData = readFileSync(cacheFileOf(file));
  } catch {
    // no cache: V8 parses the bundle, as `node FILE` would
  }
  const body = compile(file, cachedData).runInThisContext() as (...args: unknown[]) => void;
  const module = { exports: {}, id: '.', filename: file };
  body.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
}

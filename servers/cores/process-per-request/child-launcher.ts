/**
 * What the per-request child's `node` runs first: the child's bundle (its path
 * is the first argument), compiled from the code cache the parent wrote at
 * start (code-cache.ts). Bundled on its own to a few hundred bytes of CommonJS.
 */
import { runWithCodeCache } from './code-cache.ts';

const bundle = process.argv[2];
if (bundle === undefined) {
  process.stderr.write('process-per-request child launcher: no bundle to run\n');
  process.exit(2);
}
runWithCodeCache(bundle);

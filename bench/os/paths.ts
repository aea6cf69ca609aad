/** Where the harness finds the repository (commands run from its root, so `--import tsx` resolves). */
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

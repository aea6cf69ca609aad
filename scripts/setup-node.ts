/**
 * `npm run setup:node -- MAJOR`: install Node MAJOR from the npm registry's `node` package into
 * .tools/node-MAJOR (git-ignored, outside the project's dependencies, so that npm scripts keep the
 * machine's node), for `--node MAJOR` on the bench and the serve command. Prints the binary's path.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { installedNodePath } from '../bench/os/runtime.ts';

const major = process.argv[2] ?? '';
if (!/^\d+$/.test(major)) {
  process.stderr.write('setup:node: give the major version to install, e.g. npm run setup:node -- 24\n');
  process.exit(2);
}
const binary = installedNodePath(major);
if (!existsSync(binary)) {
  const prefix = dirname(dirname(dirname(dirname(binary))));
  const npm = spawnSync(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node@${major}`],
    {
      // npm's own output goes to standard error: standard output is the binary's path alone.
      stdio: ['ignore', process.stderr, 'inherit'],
    },
  );
  if (npm.status !== 0 || !existsSync(binary)) {
    process.stderr.write(`setup:node: npm could not install node@${major} into ${prefix}\n`);
    process.exit(1);
  }
}
process.stdout.write(`${binary}\n`);

/**
 * Which Node runs the servers under test (`--node`): the harness's own by default, a binary given by
 * path, or a major version the project installed itself from the npm registry's `node` package
 * (`npm run setup:node -- 24` puts it under .tools/node-24). The harness runs wherever it was started;
 * only our models and the node-http peer are started on the chosen runtime.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../plan/options.ts';
import { repoRoot } from './paths.ts';

/** A Node binary and the version it reports. */
export interface Runtime {
  path: string;
  /** `v24.21.0` */
  version: string;
  /** True when it is the harness's own process.execPath. */
  own: boolean;
}

/** Where `npm run setup:node -- MAJOR` installs a Node of that major version. */
export function installedNodePath(major: string): string {
  return join(repoRoot, '.tools', `node-${major}`, 'node_modules', 'node', 'bin', 'node');
}

/** The runtime `--node` names (undefined: the harness's own), or a UsageError saying what is wrong. */
export function resolveRuntime(flag: string | undefined): Runtime {
  if (flag === undefined) return { path: process.execPath, version: process.version, own: true };
  let path = flag;
  if (/^\d+$/.test(flag)) {
    path = installedNodePath(flag);
    if (!existsSync(path))
      throw new UsageError(
        `--node ${flag}: no Node ${flag} installed here; npm run setup:node -- ${flag} installs it from the npm registry`,
      );
  } else path = resolve(flag);
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  const version = probe.stdout?.trim() ?? '';
  if (probe.error || probe.status !== 0 || !/^v\d+\.\d+\.\d+/.test(version))
    throw new UsageError(`--node ${flag}: ${path} is not a Node binary that answers --version`);
  return { path, version, own: path === process.execPath };
}

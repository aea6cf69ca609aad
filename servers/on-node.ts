/**
 * `serve --node PATH|MAJOR`: serve on another Node than the one the command was started with. The
 * command runs itself again on that Node (a path, or a major version `npm run setup:node -- MAJOR`
 * installed under .tools/), with the same flags but --node, its standard streams passed through, a
 * signal passed on, and its exit code returned. The child dies with this process (setpriv's
 * parent-death signal, where util-linux has it), so a SIGKILL here leaves no server behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** The `--node` value in `argv` and the flags without it; `node` undefined when absent. */
export function takeNodeFlag(argv: readonly string[]): { node: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let node: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--node') node = argv[++i] ?? '';
    else if (arg.startsWith('--node=')) node = arg.slice('--node='.length);
    else rest.push(arg);
  }
  return { node, rest };
}

/** The binary `--node` names, or a one-line reason it cannot be used. */
export function nodeBinary(flag: string): { path: string } | { problem: string } {
  const path = /^\d+$/.test(flag) ? `${repoRoot}.tools/node-${flag}/node_modules/node/bin/node` : flag;
  if (/^\d+$/.test(flag) && !existsSync(path))
    return { problem: `--node ${flag}: no Node ${flag} installed here; npm run setup:node -- ${flag} installs it` };
  const probe = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (probe.status !== 0 || !/^v\d+\./.test(probe.stdout ?? ''))
    return { problem: `--node ${flag}: ${path} is not a Node binary that answers --version` };
  return { path };
}

/** Run `script` with `args` on the Node at `path`; resolves to the exit code to leave with. */
export function runOn(path: string, script: string, args: string[]): Promise<number> {
  const withDeath = spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  const nodeArgs = ['--import', 'tsx', script, ...args];
  const [command, commandArgs] = withDeath ? ['setpriv', ['--pdeathsig', 'KILL', path, ...nodeArgs]] : [path, nodeArgs];
  const child = spawn(command, commandArgs, { stdio: 'inherit', cwd: repoRoot });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, forward);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1))));
}

/**
 * A per-request child must not outlive the server: if the server is killed
 * (SIGKILL gives it no chance to clean up), a child blocked in its request
 * would run on, re-parented to init. Node cannot set prctl(PR_SET_PDEATHSIG)
 * itself, and the child, blocked in `Atomics.wait` or in its computation,
 * cannot watch for its parent; util-linux's `setpriv --pdeathsig KILL` sets it
 * and then execs the child, so the kernel kills the child when the server dies.
 * The exec costs about a millisecond against a Node start of 30 ms or more
 * (docs/models/process-per-request.md). Where `setpriv` is missing the child
 * is started directly, and a child orphaned this way ends with its request.
 */
import { spawnSync } from 'node:child_process';

/** The command and arguments that start `node ...program` as a child that dies with this process. */
export function childCommand(program: string[]): [command: string, args: string[]] {
  return hasSetpriv()
    ? ['setpriv', ['--pdeathsig', 'KILL', process.execPath, ...program]]
    : [process.execPath, program];
}

let probed: boolean | undefined;

/** Whether `setpriv --pdeathsig` works here; asked once per process (a server start asks it first). */
function hasSetpriv(): boolean {
  probed ??= spawnSync('setpriv', ['--pdeathsig', 'KILL', 'true'], { stdio: 'ignore' }).status === 0;
  return probed;
}

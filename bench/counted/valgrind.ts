/**
 * A server under Callgrind: start it, find every process Valgrind runs for it,
 * switch their instrumentation on and off, zero and dump their counters
 * (callgrind_control, through vgdb), and stop them all.
 *
 * Each run has its own folder and its own vgdb prefix, so that
 * callgrind_control sees this run's processes and no one else's.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { pinned } from '../os/processes.ts';

const run = promisify(execFile);

/**
 * How the counters are read around a block:
 * - `toggle`: instrumentation starts off (`--instr-atstart=no`); a block is
 *   `-i on`, the requests, `-i off`, `-d`. The warm-up runs at Valgrind's
 *   uninstrumented speed, several times faster.
 * - `always`: instrumentation is on from the start in every process; a block is
 *   `-z`, the requests, `-d`, plus the files of the processes that ended in it.
 *   For process-per-request: a child lives for one request, so it must count
 *   from its first instruction, and a child starts with the options its parent
 *   was given.
 */
export type Instrumentation = 'toggle' | 'always';

/** How to start a server under Callgrind. */
export interface CallgrindLaunch {
  /** The plain JavaScript serve file. */
  serveFile: string;
  serveArgs: string[];
  /** Node's own flags before the serve file (V8's heap flags, for instance). */
  nodeFlags?: string[];
  instrumentation: Instrumentation;
  /** Folder for the dumps, the logs and vgdb's pipes. */
  dir: string;
  env?: NodeJS.ProcessEnv;
  /** More Valgrind flags, after ours (e.g. --fair-sched=yes). */
  valgrindFlags?: string[];
  valgrind?: string;
  node?: string;
}

/** Callgrind's flags, recorded with every figure. */
export function callgrindFlags(launch: Pick<CallgrindLaunch, 'instrumentation' | 'dir' | 'valgrindFlags'>): string[] {
  return [
    '--tool=callgrind',
    `--instr-atstart=${launch.instrumentation === 'toggle' ? 'no' : 'yes'}`,
    // V8 writes and rewrites machine code in anonymous memory: without this Valgrind runs stale translations.
    '--smc-check=all-non-file',
    // prefork's workers and process-per-request's children are processes of their own: count them too...
    '--trace-children=yes',
    // ...but not esbuild's service (a Go binary the cores start to bundle their workers before listening).
    '--trace-children-skip=*esbuild*',
    // Instructions only: no time in system calls, no per-instruction lines in the dumps.
    '--collect-systime=no',
    '--dump-instr=no',
    '--vgdb=yes',
    `--vgdb-prefix=${join(launch.dir, 'vgdb')}`,
    `--callgrind-out-file=${join(launch.dir, 'callgrind.out.%p')}`,
    `--log-file=${join(launch.dir, 'valgrind.%p.log')}`,
    ...(launch.valgrindFlags ?? []),
  ];
}

export async function valgrindVersion(valgrind = 'valgrind'): Promise<string> {
  const { stdout } = await run(valgrind, ['--version']);
  return stdout.trim();
}

/** A serve process (and its descendants) running under Callgrind. */
export class CallgrindServer {
  readonly dir: string;
  readonly flags: string[];
  readonly url: string;
  readonly #child: ChildProcess;
  readonly #exited: Promise<number | null>;
  readonly #stderr: string[];
  #stopped: Promise<void> | undefined;

  private constructor(
    dir: string,
    flags: string[],
    url: string,
    child: ChildProcess,
    exited: Promise<number | null>,
    stderr: string[],
  ) {
    this.dir = dir;
    this.flags = flags;
    this.url = url;
    this.#child = child;
    this.#exited = exited;
    this.#stderr = stderr;
  }

  /** Start the server and resolve once it prints `listening on http://HOST:PORT`. */
  static async start(launch: CallgrindLaunch, timeoutMs: number): Promise<CallgrindServer> {
    const flags = callgrindFlags(launch);
    // Under setpriv --pdeathsig (pinned): a harness killed mid-count takes its Valgrind server with it.
    const [command, args] = pinned(null, launch.valgrind ?? 'valgrind', [
      ...flags,
      launch.node ?? process.execPath,
      ...(launch.nodeFlags ?? []),
      launch.serveFile,
      ...launch.serveArgs,
    ]);
    const child = spawn(command, args, { env: launch.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const stderr: string[] = [];
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 200) stderr.push(chunk);
    });
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const lines = createInterface({ input: child.stdout! });
    const url = await new Promise<string>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => fail(`no "listening on" line within ${timeoutMs} ms`), timeoutMs);
      const fail = (why: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(new Error(`${launch.serveArgs.join(' ')} under Callgrind: ${why}: ${stderr.join('').slice(-500)}`));
      };
      lines.on('line', (line) => {
        const match = /^listening on (http:\/\/\S+)$/.exec(line);
        if (match === null || settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(match[1]!);
      });
      void exited.then((code) => fail(`exited with code ${code} before listening`));
    });
    // Keep reading standard output so that the server never blocks on a full pipe.
    lines.on('line', () => {});
    return new CallgrindServer(launch.dir, flags, url, child, exited, stderr);
  }

  get pid(): number {
    return this.#child.pid!;
  }

  /** Every process Valgrind runs for this server now (callgrind_control's listing). */
  async pids(): Promise<number[]> {
    const { stdout } = await this.#control([]);
    return [...stdout.matchAll(/^PID (\d+):/gm)].map((match) => Number(match[1]));
  }

  /** Switch instrumentation on or off in `pids`. */
  async instrument(state: 'on' | 'off', pids: number[]): Promise<void> {
    await this.#each(pids, [`--instr=${state}`]);
  }

  /** Zero the counters of `pids`. */
  async zero(pids: number[]): Promise<void> {
    await this.#each(pids, ['--zero']);
  }

  /** Dump (and so zero) the counters of `pids`; each writes callgrind.out.PID.N into the run's folder. */
  async dump(pids: number[], description: string): Promise<void> {
    await this.#each(pids, [`--dump=${description}`]);
  }

  /** The callgrind output files in the run's folder now. */
  outputFiles(): Set<string> {
    return new Set(readdirSync(this.dir).filter((name) => name.startsWith('callgrind.out.')));
  }

  /** SIGTERM (the server drains and exits), then SIGKILL to whatever of ours is left after `graceMs`. */
  stop(graceMs = 30_000): Promise<void> {
    this.#stopped ??= this.#stop(graceMs);
    return this.#stopped;
  }

  async #stop(graceMs: number): Promise<void> {
    const pids = await this.pids().catch(() => [] as number[]);
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), graceMs);
    await this.#exited;
    clearTimeout(timer);
    // A descendant that outlived its parent (it should not): end it by its PID.
    for (const pid of pids) {
      if (pid === this.pid) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
  }

  /** Valgrind's own standard error, for an error message. */
  stderrTail(): string {
    return this.#stderr.join('').slice(-1000);
  }

  async #each(pids: number[], args: string[]): Promise<void> {
    if (pids.length === 0) throw new Error('no Callgrind process to control');
    const { stdout } = await this.#control([...args, ...pids.map(String)]);
    const ok = stdout.match(/^ {2}OK\.$/gm)?.length ?? 0;
    if (ok !== pids.length)
      throw new Error(`callgrind_control ${args.join(' ')}: ${ok} of ${pids.length} processes answered OK: ${stdout}`);
  }

  #control(args: string[]): Promise<{ stdout: string }> {
    return run('callgrind_control', [`--vgdb-prefix=${join(this.dir, 'vgdb')}`, ...args], { timeout: 60_000 });
  }
}

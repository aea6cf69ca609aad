/**
 * The servers bench:cores loads: one of our models (or node:http) through
 * servers/serve.ts, the canned-response `net` server, or nginx with one worker
 * on the default site. Each is pinned by `taskset` to the CPUs given, leads its
 * own process group, and is stopped by that group's id.
 *
 * Our servers run from the bundle `npm run bench` starts them from (bench/targets/model.ts),
 * not through tsx: under tsx's module interop every call of an imported function is a getter
 * call first, which put tsx's cost into the event loop's figures (and the worker pool's
 * main thread), not the model's.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDefaultSite } from '../../../servers/app/site.ts';
import { bundleServe } from '../../counted/bundle-serve.ts';
import { pinned, signal } from '../../os/processes.ts';
import { findNginx, nginxConfig, tempPathsOf } from '../../targets/nginx.ts';
import { freePort } from '../../targets/port.ts';

/** A server under load: its root PID (for /proc), its address, and how to stop it. */
export interface BenchServer {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const serveEntry = join(repo, 'servers/serve.ts');
const cannedEntry = join(repo, 'bench/targets/canned-server.ts');

/** Each entry's bundle, built once per run (an unchanged build reuses its file). */
const bundles = new Map<string, Promise<string>>();
function bundled(entry: string): Promise<string> {
  let file = bundles.get(entry);
  if (file === undefined) {
    file = bundleServe(entry);
    bundles.set(entry, file);
  }
  return file;
}

/** Every server started and not yet stopped, so that an interrupt can stop them by group. */
const started = new Set<number>();
export function stopAll(): void {
  for (const pid of started) signal(-pid, 'SIGKILL');
  started.clear();
}

function launch(cpus: string, command: string, args: string[], cwd = repo): ChildProcess {
  const [cmd, argv] = pinned(cpus, command, args);
  const child = spawn(cmd, argv, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  started.add(child.pid);
  return child;
}

function stopper(child: ChildProcess, after?: () => void): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      const pid = child.pid as number;
      const done = (): void => {
        clearTimeout(timer);
        started.delete(pid);
        after?.();
        resolve();
      };
      if (child.exitCode !== null || child.signalCode !== null) return done();
      const timer = setTimeout(() => signal(-pid, 'SIGKILL'), 5_000);
      child.once('exit', done);
      signal(-pid, 'SIGTERM');
    });
}

/** Start a process that prints `listening on http://HOST:PORT`, and wait for that line. */
function untilReady(child: ChildProcess, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no ready line after 30 s`)), 30_000);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code}) before it was ready: ${err.trim().split('\n')[0] ?? ''}`));
    });
  });
}

/** One of the registry's models (or `node-http`), with extra serve.ts flags. */
export async function startModel(model: string, cpus: string, flags: string[] = []): Promise<BenchServer> {
  const child = launch(cpus, process.execPath, [await bundled(serveEntry), '--model', model, '--port', '0', ...flags]);
  const url = await untilReady(child, model);
  return { pid: child.pid as number, url, stop: stopper(child) };
}

/** bench/targets/canned-server.ts: the Node limit, a raw `net` server writing canned bytes per request head. */
export async function startCanned(cpus: string): Promise<BenchServer> {
  const child = launch(cpus, process.execPath, [await bundled(cannedEntry)]);
  const url = await untilReady(child, 'canned');
  return { pid: child.pid as number, url, stop: stopper(child) };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** nginx, one worker, the configuration bench/targets/nginx.ts generates, serving the default site. */
export async function startNginx(cpus: string): Promise<BenchServer> {
  const binary = findNginx();
  if (binary === null) throw new Error('nginx is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'server-models-bench-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  const asRoot = process.getuid?.() === 0;
  const config = nginxConfig({
    dir,
    host: '127.0.0.1',
    port,
    workers: 1,
    root: ensureDefaultSite(),
    tempPaths: tempPathsOf(binary),
    asRoot,
  });
  writeFileSync(conf, config);
  const child = launch(cpus, binary, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], dir);
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('nginx did not start');
    await new Promise((r) => setTimeout(r, 20));
  }
  const remove = () => rmSync(dir, { recursive: true, force: true });
  return { pid: child.pid as number, url: `http://127.0.0.1:${port}`, stop: stopper(child, remove) };
}

/**
 * Network distance (`--rtt MS`): the run creates two network namespaces of its
 * own, one for the servers and one for the clients, joined by a veth pair with
 * link-local addresses and a `tc netem` delay of RTT/2 on each end, so that the
 * models meet a real round-trip time instead of loopback's few microseconds.
 *
 * Safety by construction: the namespaces start empty (no route, no interface
 * but their own loopback and their end of the veth), nothing is attached to the
 * host's namespace, and the host's interfaces and routes are never touched. The
 * harness itself runs inside the client namespace, so the only address it can
 * reach is the server namespace's end of the link.
 *
 * Needs root, iproute2 (`ip`, `tc`) and, for a delay above 0, the kernel's
 * netem qdisc (sch_netem). `--rtt 0` needs no netem: the same namespaces and
 * veth with no added delay, the baseline the delayed runs are read against.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { z } from 'zod';
import { signal } from './processes.ts';
import type { Config } from '../results/schema.ts';

type NetworkConfig = NonNullable<Config['network']>;

/** The namespaces of one run and how they are joined. */
export const NetnsPair = z.object({
  serverNs: z.string().regex(/^sm-\d+-srv$/),
  clientNs: z.string().regex(/^sm-\d+-cli$/),
  serverAddress: z.string(),
  clientAddress: z.string(),
  /** The round trip asked for, and the netem delay on each end of the veth (RTT/2). */
  rttMs: z.number().nonnegative(),
  oneWayDelayMs: z.number().nonnegative(),
});
export type NetnsPair = z.infer<typeof NetnsPair>;

/** The environment variable that tells the harness it runs inside the client namespace of this pair. */
export const NETNS_ENV = 'SERVER_MODELS_NETNS';

/** A /30 in the link-local range: two hosts, no gateway, nothing routable. */
const subnet = { server: '169.254.77.1', client: '169.254.77.2', prefix: 30 };

interface Outcome {
  ok: boolean;
  /** The first line the command printed (stderr before stdout), for messages. */
  said: string;
}

function run(command: string, args: string[]): Outcome {
  const r = spawnSync(command, args, { encoding: 'utf8' });
  if (r.error)
    return {
      ok: false,
      said: (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} not found` : r.error.message,
    };
  const said = `${r.stderr}\n${r.stdout}`.trim().split('\n')[0]?.trim() ?? '';
  return { ok: r.status === 0, said };
}

function must(command: string, args: string[]): void {
  const r = run(command, args);
  if (!r.ok) throw new Error(`${command} ${args.join(' ')}: ${r.said || 'failed'}`);
}

/** The command line that runs `command` inside namespace `ns`. `ip netns exec` execs in place: the PID carries through. */
export function inNamespace(ns: string, command: string, args: readonly string[]): [string, string[]] {
  return ['ip', ['netns', 'exec', ns, command, ...args]];
}

/** Network namespaces that exist now, by name. */
export function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (r.stdout ?? '')
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter(Boolean);
}

/** PIDs of the processes inside namespace `ns`. */
export function namespacePids(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').filter(Boolean).map(Number);
}

/**
 * Why the mode cannot run here, or undefined when it can. Checked in order:
 * root, `ip` and `tc`, creating a namespace, and (for a delay above 0) netem,
 * probed by adding it to a veth inside a throwaway namespace, then removed.
 */
export function netnsUnavailable(rttMs: number, id = process.pid): string | undefined {
  if (process.getuid?.() !== 0) return 'it needs root (it creates network namespaces)';
  for (const tool of ['ip', 'tc']) {
    if (!run(tool, ['-V']).ok) return `the ${tool} command (iproute2) is not installed`;
  }
  const probe = `sm-${id}-probe`;
  const created = run('ip', ['netns', 'add', probe]);
  if (!created.ok) return `cannot create a network namespace: ${created.said}`;
  try {
    if (rttMs === 0) return undefined;
    must('ip', ['-n', probe, 'link', 'add', 'probe-a', 'type', 'veth', 'peer', 'name', 'probe-b']);
    const netem = run('tc', ['-n', probe, 'qdisc', 'add', 'dev', 'probe-a', 'root', 'netem', 'delay', '1ms']);
    if (!netem.ok) return `the kernel has no netem qdisc (tc: ${netem.said})`;
    must('tc', ['-n', probe, 'qdisc', 'del', 'dev', 'probe-a', 'root']);
    return undefined;
  } catch (error) {
    return `cannot set up a veth in a network namespace: ${(error as Error).message}`;
  } finally {
    // Deleting the namespace deletes the veth pair inside it.
    run('ip', ['netns', 'del', probe]);
  }
}

/**
 * Create the server and client namespaces of run `id`, the veth pair between
 * them, their addresses and (rttMs > 0) the netem delay. On any failure what
 * was made is deleted and the error is thrown.
 */
export function createPair(rttMs: number, id = process.pid): NetnsPair {
  const pair: NetnsPair = {
    serverNs: `sm-${id}-srv`,
    clientNs: `sm-${id}-cli`,
    serverAddress: subnet.server,
    clientAddress: subnet.client,
    rttMs,
    oneWayDelayMs: rttMs / 2,
  };
  const ends = [
    { ns: pair.serverNs, dev: 'sm-srv', address: pair.serverAddress },
    { ns: pair.clientNs, dev: 'sm-cli', address: pair.clientAddress },
  ];
  // Only what this call made is undone on failure: a namespace of that name made by anyone else is left alone.
  const made: string[] = [];
  try {
    for (const { ns } of ends) {
      must('ip', ['netns', 'add', ns]);
      made.push(ns);
    }
    // Created inside the server namespace with its peer placed straight into the client's: neither end ever sits in the host's.
    must('ip', [
      '-n',
      pair.serverNs,
      'link',
      'add',
      'sm-srv',
      'type',
      'veth',
      'peer',
      'name',
      'sm-cli',
      'netns',
      pair.clientNs,
    ]);
    for (const { ns, dev, address } of ends) {
      must('ip', ['-n', ns, 'addr', 'add', `${address}/${subnet.prefix}`, 'dev', dev]);
      must('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      must('ip', ['-n', ns, 'link', 'set', dev, 'up']);
      // Delay on both ends: each direction of the round trip pays half.
      if (rttMs > 0)
        must('tc', ['-n', ns, 'qdisc', 'add', 'dev', dev, 'root', 'netem', 'delay', `${pair.oneWayDelayMs}ms`]);
    }
    return pair;
  } catch (error) {
    deleteNamespaces(made);
    throw error;
  }
}

/**
 * Delete both namespaces of a pair. Any process still inside one was started
 * by this run (the namespaces are its own) and is killed first: a namespace
 * with a process in it outlives `ip netns del`. Returns the PIDs it had to kill.
 */
export function deletePair(pair: Pick<NetnsPair, 'serverNs' | 'clientNs'>): number[] {
  return deleteNamespaces([pair.serverNs, pair.clientNs]);
}

function deleteNamespaces(names: string[]): number[] {
  const killed: number[] = [];
  for (const ns of names) {
    if (!listNamespaces().includes(ns)) continue;
    for (const pid of namespacePids(ns)) {
      signal(pid, 'SIGKILL');
      killed.push(pid);
    }
    run('ip', ['netns', 'del', ns]);
  }
  return killed;
}

/** The pair the harness runs inside, from its environment, or null outside the mode. */
export function pairFromEnv(env: NodeJS.ProcessEnv = process.env): NetnsPair | null {
  const text = env[NETNS_ENV];
  if (text === undefined) return null;
  const parsed = NetnsPair.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new Error(`${NETNS_ENV} is not a namespace pair: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The pair as the results file records it. */
export function networkConfig(pair: NetnsPair): NetworkConfig {
  return {
    mode: 'netns-veth',
    rttMs: pair.rttMs,
    oneWayDelayMs: pair.oneWayDelayMs,
    serverNamespace: pair.serverNs,
    clientNamespace: pair.clientNs,
    serverAddress: pair.serverAddress,
    clientAddress: pair.clientAddress,
  };
}

/** One line for the terminal saying where a run's traffic went. */
export function networkNote(network: NetworkConfig): string {
  const delay =
    network.rttMs > 0
      ? `netem ${network.oneWayDelayMs} ms each way (RTT ${network.rttMs} ms)`
      : 'no added delay (RTT 0: the veth baseline)';
  return `network: server in namespace ${network.serverNamespace} (${network.serverAddress}), load generator in ${network.clientNamespace} (${network.clientAddress}), one veth, ${delay}`;
}

/**
 * Run the whole bench (same arguments) inside the client namespace of a new
 * pair, and delete the pair when it ends, fails, or the harness is told to
 * stop. The inner harness runs in its own process group so that one Ctrl-C
 * reaches it once, forwarded from here (it then stops what it started).
 * `entry` is the bench command's script (the caller's own), so this module names no entry point.
 * Resolves to its exit code.
 */
export async function runAcrossVeth(
  entry: string,
  argv: string[],
  rttMs: number,
  log: (line: string) => void,
): Promise<number> {
  let child: ChildProcess | undefined;
  // A closed terminal (SIGHUP) reaches only this process: the harness inside is told to stop as on SIGTERM.
  const forward = (name: NodeJS.Signals) => {
    if (child?.pid !== undefined) signal(child.pid, name === 'SIGHUP' ? 'SIGTERM' : name);
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  // Listening before the namespaces exist: a signal cannot kill this process and leave them behind.
  for (const name of signals) process.on(name, forward);
  let pair: NetnsPair | undefined;
  try {
    pair = createPair(rttMs);
    const [command, args] = inNamespace(pair.clientNs, process.execPath, ['--import', 'tsx', entry, ...argv]);
    // Not NODE_CHANNEL_FD: a parent's IPC channel is this process's, and its descriptor is not passed on.
    const { NODE_CHANNEL_FD: _fd, NODE_CHANNEL_SERIALIZATION_MODE: _mode, ...env } = process.env;
    child = spawn(command, args, {
      stdio: 'inherit',
      detached: true,
      env: { ...env, [NETNS_ENV]: JSON.stringify(pair) },
    });
    return await new Promise<number>((resolve, reject) => {
      child?.once('error', reject);
      child?.once('exit', (code, sig) => resolve(code ?? (sig === 'SIGINT' || sig === 'SIGTERM' ? 130 : 1)));
    });
  } finally {
    for (const name of signals) process.off(name, forward);
    if (pair) await teardown(pair, log);
  }
}

/** Delete the pair once the harness inside it has gone, saying so (and what had to be killed). */
async function teardown(pair: NetnsPair, log: (line: string) => void): Promise<void> {
  // Helpers that die with the harness (tsx's esbuild service) take a moment to notice.
  await waitUntil(() => namespacePids(pair.serverNs).length + namespacePids(pair.clientNs).length === 0, 2000);
  const killed = deletePair(pair);
  if (killed.length > 0)
    log(`network: killed ${killed.length} process(es) left in the run's namespaces (PIDs ${killed.join(', ')})`);
  const left = listNamespaces().filter((ns) => ns === pair.serverNs || ns === pair.clientNs);
  if (left.length > 0) log(`network: could not delete namespace(s) ${left.join(', ')}: remove with ip netns del`);
  else log(`network: deleted namespaces ${pair.serverNs} and ${pair.clientNs}`);
}

async function waitUntil(done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}

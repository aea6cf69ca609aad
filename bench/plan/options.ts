/**
 * The command line of `npm run bench`: a profile, then flags that override any
 * part of it. A bad flag is a UsageError: one line, exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { FlagError, parseFlags } from './args.ts';
import { benchDefaults, profiles } from './profiles.ts';
import type { MatrixEntry, Profile } from './profiles.ts';
import { findScenario, scenarioNames } from './scenarios.ts';
import type { ScenarioDef } from './scenarios.ts';
import { loadScenarioFile, ScenarioFileError } from './scenario-file.ts';
import { loadGenerators } from '../loadgen/registry.ts';
import { localOrigin } from '../targets/url.ts';
import { parseRates } from '../loadgen/open-loop-rate.ts';
import type { LoadSpec } from '../loadgen/open-loop-rate.ts';
import { defaultDatabasePoolSize } from '../../servers/defaults.ts';
import { type CacheOption, parseCacheOption } from './cache-option.ts';
import { UsageError } from './usage-error.ts';

export { UsageError };

/** `--target-cmd` (with how long it may take to listen) or `--target-url`, under `--target-name`. */
export type TargetFlags = { name: string } & ({ command: string; readyTimeoutMs: number } | { url: string });

/** A run's settings, after the profile and the flags. */
export interface RunOptions extends Omit<Profile, 'matrix'> {
  profile: string;
  rounds: number;
  /** A name from bench/loadgen/registry.ts. */
  loadgen: string;
  /** Results file to write. */
  out: string | null;
  /** `--csv`, `--bmf`: the cells as CSV and in Bencher Metric Format, written beside the results file. */
  csv: string | null;
  bmf: string | null;
  /** The scenarios of `--scenario-file`, validated; empty without one. */
  fileScenarios: ScenarioDef[];
  /** The flags that changed what the profile runs (`--duration`, `--scenarios`, …), recorded so a report says so. */
  overrides: string[];
  /** CPU lists for taskset: undefined = choose by the machine's core count, null = unpinned. */
  serverCpus: string | null | undefined;
  clientCpus: string | null | undefined;
  json: boolean;
  help: boolean;
  /** A server of the user's to load (--target-cmd or --target-url), or null. */
  target: TargetFlags | null;
  /** `--rate`: the load modes every cell is measured in, in order (bench/loadgen/open-loop-rate.ts); null = closed loop only. */
  loads: LoadSpec[] | null;
  /** Network distance: the round trip (ms) across a veth between namespaces the run creates (bench/netns.ts), or null for loopback. */
  rttMs: number | null;
  /** The profile's designed matrix after the flags, or null for the cross product of scenarios and connections. */
  matrix: MatrixEntry[] | null;
  /** `--node`: the Node binary (path or installed major version) for the servers under test; undefined = this one. */
  node: string | undefined;
  /** `instructions`: count each cell's instructions per request under Valgrind besides timing it. */
  measure: 'time' | 'instructions';
  /** `--db-url`: the database server of the database scenarios, or null for the embedded one. */
  databaseUrl: string | null;
  /** `--db-pool`: connections per pool of the models that have one. */
  databasePoolSize: number;
  /** `--cache`: what cached-queries reads (bench/run/cache.ts). */
  cache: CacheOption;
}

const flagSpec = {
  profile: { type: 'string' },
  models: { type: 'string' },
  scenarios: { type: 'string' },
  connections: { type: 'string' },
  duration: { type: 'string' },
  warmup: { type: 'string' },
  trials: { type: 'string' },
  rounds: { type: 'string' },
  out: { type: 'string' },
  csv: { type: 'string' },
  bmf: { type: 'string' },
  'scenario-file': { type: 'string' },
  'server-cpus': { type: 'string' },
  'client-cpus': { type: 'string' },
  loadgen: { type: 'string' },
  'target-cmd': { type: 'string' },
  'target-url': { type: 'string' },
  'target-name': { type: 'string' },
  'target-timeout': { type: 'string' },
  rate: { type: 'string' },
  rtt: { type: 'string' },
  node: { type: 'string' },
  measure: { type: 'string' },
  'db-url': { type: 'string' },
  'db-pool': { type: 'string' },
  cache: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const defaultTargetName = 'target';

/** Flags that change a profile's matrix or its measurement: a run with any of them is not the profile as designed. */
const profileFlags = [
  'models',
  'scenarios',
  'scenario-file',
  'connections',
  'duration',
  'warmup',
  'trials',
  'rounds',
  'rate',
  'loadgen',
  'measure',
  'target-cmd',
  'target-url',
] as const;

export const usage = `usage: npm run bench -- [--profile ${Object.keys(profiles).join('|')}] [flags]

  --profile NAME        a named matrix (default ${benchDefaults.profile}):
${Object.entries(profiles)
  .map(([name, p]) => `                          ${name.padEnd(6)} ${p.description}`)
  .join('\n')}
  --models a,b          models and peers to run (default: every available one, nginx when installed)
  --scenarios a,b       scenarios: ${scenarioNames.join(', ')}
  --scenario-file FILE  your own workloads (JSON: requests, mix, keep-alive, pipelining, the right
                          answer); runs the file's scenarios unless --scenarios picks (README,
                          "Benchmark your own server"; examples/items.scenarios.json)
  --connections 1,16    concurrent connections, one cell per level
  --duration SEC        length of each measured trial
  --warmup SEC          warm-up before the trials (0 for none; recorded apart)
  --trials N            measured trials per cell in each round
  --rounds N            run the whole matrix N times in turn, every server restarted each round; a cell
                          gets N × trials trials spread over the run (the ci profile uses 5 rounds)
  --loadgen NAME        the load generator:
${Object.entries(loadGenerators)
  .map(([name, g]) => `                          ${name.padEnd(11)}${g.description}`)
  .join('\n')}
  --rate LIST           open loop: requests/s on a fixed schedule whatever the server does, latency timed from
                          each request's due time (coordinated omission corrected); one cell per entry:
                          a rate (2000), a share of the same cell's closed-loop throughput (70%) or
                          "closed"; e.g. --rate closed,70%. Implies --loadgen open-loop
  --server-cpus LIST    taskset CPU list for the servers, or "none" (default: 0 on 2+ cores)
  --client-cpus LIST    taskset CPU list for the load generator, or "none" (default: the rest)
  --measure time|instructions
                        instructions: besides the timed trials, count instructions per request under
                          Valgrind, once per model and scenario (default: the profile's, time)
  --node PATH|MAJOR     the Node that runs our models and node-http (default: this one); MAJOR is one
                          that npm run setup:node -- MAJOR installed; the harness stays on this one
  --rtt MS              server and load generator in two network namespaces of the run's own, joined
                          by a veth with netem delay MS/2 each way (needs root and netem; 0 = no delay)
  --target-cmd CMD      load any server: CMD is run with sh -c, PORT and HOST in its environment
                          (a free port on 127.0.0.1); ready when that port accepts. Only this server
                          is run, unless --models names ours to run beside it; a built-in
                          scenario checks only its status and framing
  --target-url URL      the same for an already-running server on http://127.0.0.1:PORT (not sampled)
  --target-name NAME    its name in the results (default ${defaultTargetName})
  --target-timeout SEC  how long --target-cmd may take to accept connections (default ${benchDefaults.readyTimeoutMs / 1000})
  --db-url URL          the database scenarios' PostgreSQL (default: a private embedded cluster, started only
                          when a database scenario runs); only the schema server_models is created or written
  --db-pool N           database connections per pool: event-loop and node-http one pool, worker-pool one per
                          thread, prefork one per process (default ${defaultDatabasePoolSize})
  --cache memory|redis|URL  what cached-queries reads: the application's in-process cache, a private Redis
                          (the default when redis-server is installed) or a running one at redis://HOST:PORT
  --out FILE            results file (default results/<run-id>.json)
  --csv FILE            also write the cells as CSV (one row per cell, medians of its trials)
  --bmf FILE            also write them in Bencher Metric Format (BMF JSON)
  --json                print the results as JSON instead of tables
  --help                this text`;

/** Parse argv (without node and the script) into run options, or throw a UsageError. */
export function parseOptions(argv: string[]): RunOptions {
  let values: ReturnType<typeof parseFlags<typeof flagSpec>>['values'];
  try {
    ({ values } = parseFlags(argv, flagSpec));
  } catch (error) {
    if (error instanceof FlagError) throw new UsageError(error.message);
    throw error;
  }
  const profileName = values.profile ?? benchDefaults.profile;
  const profile = profiles[profileName];
  if (!profile)
    throw new UsageError(`unknown profile "${profileName}" (profiles: ${Object.keys(profiles).join(', ')})`);
  const target = targetFlags(values);
  const fileScenarios = values['scenario-file'] === undefined ? [] : scenarioFile(values['scenario-file']);
  const known = [...scenarioNames, ...fileScenarios.map((s) => s.name)];
  const loads = values.rate === undefined ? null : rates(values.rate);
  const open = loads?.some((l) => l.mode === 'open') ?? false;
  const loadgen = values.loadgen ?? (open ? 'open-loop' : benchDefaults.loadgen);
  if (!Object.hasOwn(loadGenerators, loadgen))
    throw new UsageError(`--loadgen must be one of ${Object.keys(loadGenerators).join(', ')}, not "${loadgen}"`);
  // autocannon's overallRate caps each connection per second and times from the send; wrk has no rate at all.
  if (open && loadgen !== 'open-loop')
    throw new UsageError(
      `--rate needs the open-loop load generator: ${loadgen} cannot keep a schedule and time from due times (drop --loadgen or use --loadgen open-loop)`,
    );
  // A user's server alone unless --models asks for ours beside it.
  const models = values.models === undefined ? (target ? [] : profile.models) : list('--models', values.models);
  const asked =
    values.scenarios !== undefined
      ? scenarioList(values.scenarios, known)
      : fileScenarios.length > 0
        ? fileScenarios.map((s) => s.name)
        : profile.scenarios;
  // Across namespaces (--rtt) the run's database would sit in the load generator's namespace, out of the
  // servers' reach: database scenarios asked for are refused, a profile's are left out.
  const unreachable = values.rtt === undefined ? [] : asked.filter((name) => findScenario(name)?.database);
  if (unreachable.length > 0 && values.scenarios !== undefined)
    throw new UsageError(
      `--rtt: the database scenarios (${unreachable.join(', ')}) cannot run across namespaces yet: the database server would be out of the servers' reach`,
    );
  const scenarios = asked.filter((name) => !unreachable.includes(name));
  const connections =
    values.connections === undefined
      ? profile.connections
      : list('--connections', values.connections).map((c) => positiveInt('--connections', c));
  const matrix =
    profile.matrix && !target && fileScenarios.length === 0
      ? matrixAfterFlags(
          profile.matrix.filter((e) => !unreachable.includes(e.scenario)),
          {
            models: values.models === undefined ? undefined : (models as string[]),
            scenarios: values.scenarios === undefined ? undefined : scenarios,
            connections: values.connections === undefined ? undefined : connections,
          },
        )
      : null;
  const ownLoadgens = values.loadgen === undefined && loads === null; // else --loadgen (or a rate's) measures all
  return {
    ...profile,
    profile: profileName,
    models: matrix && values.models === undefined ? matrixModels(matrix, profile.models) : models,
    scenarios: matrix ? [...new Set(matrix.map((e) => e.scenario))] : scenarios,
    connections: matrix ? [...new Set(matrix.flatMap((e) => e.connections))].sort((a, b) => a - b) : connections,
    matrix: matrix && !ownLoadgens ? matrix.map(({ loadgen: _given, ...entry }) => entry) : matrix,
    node: values.node,
    measure: measureOf(values.measure, profile.measure),
    durationSec: values.duration === undefined ? profile.durationSec : positiveNumber('--duration', values.duration),
    warmupSec: values.warmup === undefined ? profile.warmupSec : nonNegativeNumber('--warmup', values.warmup),
    trials: values.trials === undefined ? profile.trials : positiveInt('--trials', values.trials),
    rounds: values.rounds === undefined ? (profile.rounds ?? 1) : positiveInt('--rounds', values.rounds),
    loadgen,
    out: values.out ?? null,
    csv: values.csv ?? null,
    bmf: values.bmf ?? null,
    fileScenarios,
    overrides: profileFlags.filter((flag) => values[flag] !== undefined).map((flag) => `--${flag}`),
    serverCpus: cpuList('--server-cpus', values['server-cpus']),
    clientCpus: cpuList('--client-cpus', values['client-cpus']),
    json: values.json ?? false,
    help: values.help ?? false,
    target,
    loads,
    rttMs: values.rtt === undefined ? null : milliseconds('--rtt', values.rtt),
    databaseUrl: values['db-url'] ?? null,
    databasePoolSize:
      values['db-pool'] === undefined ? defaultDatabasePoolSize : positiveInt('--db-pool', values['db-pool']),
    cache: parseCacheOption(values.cache),
  };
}

/**
 * A designed matrix with the flags applied: --scenarios keeps the matrix's entries for the scenarios
 * it names (a scenario the matrix lacks runs at the matrix's levels, every model; an entry that samples
 * the models runs every model); --connections
 * replaces every entry's levels; --models replaces every entry's models (the models a user names run
 * in every scenario that is kept).
 */
export function matrixAfterFlags(
  matrix: MatrixEntry[],
  flags: { models: string[] | undefined; scenarios: string[] | undefined; connections: number[] | undefined },
): MatrixEntry[] {
  const levels = [...new Set(matrix.flatMap((e) => e.connections))].sort((a, b) => a - b);
  const entries = flags.scenarios
    ? flags.scenarios.flatMap((name) => {
        // A scenario asked for by name runs on every model where the matrix only samples them.
        const own = matrix
          .filter((e) => e.scenario === name)
          .map((e) => (e.sample ? { scenario: e.scenario, connections: e.connections } : e));
        return own.length > 0 ? own : [{ scenario: name, connections: levels }];
      })
    : matrix;
  return entries
    .map((e) => ({
      ...e,
      connections: flags.connections ?? e.connections,
      ...(flags.models ? { models: flags.models } : {}),
    }))
    .filter((e, i, all) => all.findIndex((o) => JSON.stringify(o) === JSON.stringify(e)) === i);
}

/** Every model a matrix names ('all' when an entry runs every model). */
function matrixModels(matrix: MatrixEntry[], fallback: Profile['models']): Profile['models'] {
  if (matrix.some((e) => e.models === undefined)) return fallback;
  return [...new Set(matrix.flatMap((e) => e.models ?? []))];
}

function measureOf(flag: string | undefined, profile: Profile['measure']): 'time' | 'instructions' {
  const value = flag ?? profile ?? 'time';
  if (value !== 'time' && value !== 'instructions')
    throw new UsageError(`--measure must be time or instructions, not "${value}"`);
  if (value === 'instructions' && spawnSync('valgrind', ['--version']).status !== 0)
    throw new UsageError('--measure instructions needs Valgrind (Debian: apt-get install valgrind)');
  return value;
}

function targetFlags(values: {
  'target-cmd'?: string;
  'target-url'?: string;
  'target-name'?: string;
  'target-timeout'?: string;
}): TargetFlags | null {
  const { 'target-cmd': command, 'target-url': url, 'target-name': nameFlag, 'target-timeout': timeout } = values;
  if (command !== undefined && url !== undefined) throw new UsageError('give --target-cmd or --target-url, not both');
  if (command === undefined && url === undefined) {
    const stray = nameFlag !== undefined ? '--target-name' : timeout !== undefined ? '--target-timeout' : undefined;
    if (stray)
      throw new UsageError(`${stray} needs --target-cmd${stray === '--target-name' ? ' or --target-url' : ''}`);
    return null;
  }
  const name = nameFlag ?? defaultTargetName;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/.test(name))
    throw new UsageError(`--target-name takes letters, digits, ".", "_" and "-" (up to 40), not "${name}"`);
  if (command !== undefined) {
    if (command.trim() === '') throw new UsageError('--target-cmd needs a command');
    const readyTimeoutMs =
      timeout === undefined ? benchDefaults.readyTimeoutMs : positiveNumber('--target-timeout', timeout) * 1000;
    return { name, command, readyTimeoutMs };
  }
  if (timeout !== undefined)
    throw new UsageError('--target-timeout is for --target-cmd (a --target-url server is already running)');
  const origin = localOrigin(url as string);
  if (origin instanceof Error) throw new UsageError(`--target-url: ${origin.message}`);
  return { name, url: origin };
}

function list(flag: string, text: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new UsageError(`${flag} needs at least one value`);
  return items;
}

function scenarioList(text: string, known: readonly string[]): string[] {
  const names = list('--scenarios', text);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown scenario "${unknown[0]}" (scenarios: ${known.join(', ')})`);
  return names;
}

function scenarioFile(path: string): ScenarioDef[] {
  try {
    return loadScenarioFile(path, scenarioNames);
  } catch (error) {
    if (error instanceof ScenarioFileError) throw new UsageError(`--scenario-file: ${error.message}`);
    throw error;
  }
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} takes positive whole numbers, not "${text}"`);
  return n;
}

function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} takes a positive number of seconds, not "${text}"`);
  return n;
}

function nonNegativeNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} takes a number of seconds (0 or more), not "${text}"`);
  return n;
}

function milliseconds(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`${flag} takes a number of milliseconds (0 or more), not "${text}"`);
  return n;
}

function rates(text: string): LoadSpec[] {
  try {
    return parseRates(text);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function cpuList(flag: string, text: string | undefined): string | null | undefined {
  if (text === undefined) return undefined;
  if (text === 'none') return null;
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(text))
    throw new UsageError(`${flag} takes a CPU list such as 0 or 0-1,3 (or "none"), not "${text}"`);
  return text;
}

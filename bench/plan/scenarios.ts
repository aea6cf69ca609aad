/**
 * The named workloads. A scenario says which requests each connection sends
 * (round and round, in order), whether connections are kept alive or
 * pipelined, and every cost it adds as a recorded parameter. Each request
 * carries the check its answer must pass before any timing.
 */
import type { LoadRequest } from '../http/request.ts';
import { slowRequestSpreadMs } from '../loadgen/slow-clients.ts';
import type { SlowClientsSpec } from '../loadgen/slow-clients.ts';
import { serializeRequest } from '../http/client.ts';
import type { Scenario } from '../results/schema.ts';
import { expectFor } from '../check/expectations.ts';
import type { ResponseCheck } from '../check/expectations.ts';

/** A request of a scenario with the check its response must pass. */
export interface ScenarioRequest extends LoadRequest {
  check: ResponseCheck;
  /** The check is what a scenario file declared (scenario-file.ts): the whole of a right answer, for any server. */
  declared?: boolean;
}

/** A named workload. */
export interface ScenarioDef {
  name: string;
  description: string;
  /** Every cost the scenario adds (recorded with the results). */
  params: Record<string, number | string | boolean>;
  /** The cycle each connection walks through. */
  requests: ScenarioRequest[];
  /** Requests in flight per connection. */
  pipelining: number;
  newConnectionPerRequest: boolean;
  /** Connections that send their requests slowly beside the load generator's (the slow-clients scenario). */
  slowClients?: SlowClientsSpec;
  /**
   * For a scenario whose point is parallelism (cpu, mixed): the server CPU one request costs, in ms, as
   * estimated from the recorded costs. The placement rule (bench/os/placement.ts) uses it to decide
   * whether the server may have every CPU of a small machine.
   */
  parallel?: { serverCpuMsPerRequest: number };
  /** Each connection sends back the cookie of its last answer (LoadJob.cookieJar): the session scenario. */
  cookieJar?: boolean;
  /**
   * The scenario asks the database server (TechEmpower's tests): the run starts one and gives it to
   * every model; `writes`: what the answers say was written is read back from the database too;
   * `cached`: the answers come from a cache, the database asked on a miss (the cell says which cache).
   */
  database?: 'reads' | 'writes' | 'cached';
}

/** The knobs scenarios are built from; recorded through each scenario's params. */
export const scenarioCosts = {
  /**
   * CPU units per /cpu request: ~3 ms of work, the "a few ms". cpuDigest(30) took
   * 2.70 ms (median of 15, pinned to one CPU) on the project machine.
   */
  cpuUnits: 30,
  /**
   * CPU units of `mixed`'s expensive request: ~27 ms, a heavy endpoint (a report, an image).
   * It must cost well over the kernel's time slice (~3 ms): a worker pool sharing its CPUs with
   * the load generator gives a cheap request a CPU within a slice or so, and with 3 ms expensive
   * requests that wait is as long as the event loop's, so head-of-line blocking cannot show.
   * Measured on the project machine, one connection looping /cpu and one /hello (cheap p99):
   * 30 units: event loop 7.5 ms, pool 7.0 ms; 300 units: event loop 34 ms, pool 3.2 ms.
   */
  mixedCpuUnits: 300,
  /** One CPU unit's time on that machine (2.70 ms / 30), and a cheap /hello request's server CPU (~35-50 µs). */
  cpuUnitMs: 0.09,
  cheapCpuMs: 0.05,
  /** Backend wait of the io scenario. */
  ioWaitMs: 20,
  /** In `mixed`, one request in this many is a /cpu one. */
  mixedEvery: 10,
  pipelineDepth: 10,
  uploadBytes: 64 * 1024,
  smallFile: '1k',
  largeFile: '1M',
  /** slow-clients: this share of a cell's connections (at least one) are slow... */
  slowShare: 0.25,
  /** ...sending this many bytes of a request at a time, one write per interval. */
  slowBytesPerWrite: 8,
  slowWriteIntervalMs: 100,
  /** Rows per request of queries, updates and cached-queries (TechEmpower's runs go from 1 to 20). */
  queriesPerRequest: 20,
};

function request(method: string, path: string, extra: Partial<LoadRequest> = {}): ScenarioRequest {
  const base: LoadRequest = { method, path, ...extra };
  return { ...base, check: expectFor(base) };
}

/** A deterministic upload body: printable, so both load generators send it byte for byte. */
export function uploadBody(bytes: number): string {
  const pattern = 'server-models upload body 0123456789abcdefghijklmnopqrstuvwxyz\n';
  return pattern.repeat(Math.ceil(bytes / pattern.length)).slice(0, bytes);
}

function define(costs: typeof scenarioCosts): ScenarioDef[] {
  const keepAlive = { pipelining: 1, newConnectionPerRequest: false };
  const cpuPath = `/cpu?units=${costs.cpuUnits}`;
  const heavyPath = `/cpu?units=${costs.mixedCpuUnits}`;
  const slow = {
    share: costs.slowShare,
    bytesPerWrite: costs.slowBytesPerWrite,
    writeIntervalMs: costs.slowWriteIntervalMs,
    request: { method: 'GET', path: '/hello', headers: { 'User-Agent': 'server-models-slow-client' } },
  };
  // As sent to a five-digit port; a shorter port saves a byte, not a write.
  const slowBytes = serializeRequest(slow.request, '127.0.0.1:65535').length;
  const slowMs = slowRequestSpreadMs(slowBytes, slow);
  return [
    {
      name: 'hello',
      description: 'A tiny dynamic text reply on kept-alive connections: the cost of the model itself.',
      params: { path: '/hello' },
      requests: [request('GET', '/hello')],
      ...keepAlive,
    },
    {
      name: 'json',
      description: 'A small JSON reply (serialised per request) on kept-alive connections.',
      params: { path: '/json' },
      requests: [request('GET', '/json')],
      ...keepAlive,
    },
    {
      name: 'static-small',
      description: 'A 1 KiB static file: file system access per request.',
      params: { path: `/static/${costs.smallFile}`, fileBytes: 1024 },
      requests: [request('GET', `/static/${costs.smallFile}`)],
      ...keepAlive,
    },
    {
      name: 'static-large',
      description: 'A 1 MiB static file: throughput is bytes, not requests.',
      params: { path: `/static/${costs.largeFile}`, fileBytes: 1024 * 1024 },
      requests: [request('GET', `/static/${costs.largeFile}`)],
      ...keepAlive,
    },
    {
      name: 'cpu',
      description: 'CPU-bound work per request: the model decides whether it runs in parallel or stalls everyone.',
      params: { path: cpuPath, cpuUnits: costs.cpuUnits },
      requests: [request('GET', cpuPath)],
      ...keepAlive,
      parallel: { serverCpuMsPerRequest: costs.cpuUnits * costs.cpuUnitMs },
    },
    {
      name: 'io',
      description: `A ${costs.ioWaitMs} ms backend wait per request: concurrency, not CPU, decides throughput.`,
      params: { path: `/io?ms=${costs.ioWaitMs}`, backendWaitMs: costs.ioWaitMs },
      requests: [request('GET', `/io?ms=${costs.ioWaitMs}`)],
      ...keepAlive,
    },
    {
      name: 'mixed',
      description: `Mostly cheap requests with one CPU-bound request in ${costs.mixedEvery}; the cheap ones' latency is reported apart (head-of-line blocking made visible).`,
      params: {
        cheapPath: '/hello',
        expensivePath: heavyPath,
        cpuUnits: costs.mixedCpuUnits,
        expensiveShare: 1 / costs.mixedEvery,
      },
      requests: [
        ...Array.from({ length: costs.mixedEvery - 1 }, () => request('GET', '/hello', { group: 'cheap' })),
        request('GET', heavyPath, { group: 'expensive' }),
      ],
      ...keepAlive,
      parallel: {
        serverCpuMsPerRequest:
          (costs.mixedCpuUnits * costs.cpuUnitMs + (costs.mixedEvery - 1) * costs.cheapCpuMs) / costs.mixedEvery,
      },
    },
    {
      name: 'close',
      description: 'A new TCP connection for every request (Connection: close): accept and teardown costs.',
      params: { path: '/hello', keepAlive: false },
      requests: [request('GET', '/hello', { headers: { Connection: 'close' } })],
      pipelining: 1,
      newConnectionPerRequest: true,
    },
    {
      name: 'pipelined',
      description: `HTTP/1.1 pipelining, ${costs.pipelineDepth} requests in flight per connection.`,
      params: { path: '/hello', pipelineDepth: costs.pipelineDepth },
      requests: [request('GET', '/hello')],
      pipelining: costs.pipelineDepth,
      newConnectionPerRequest: false,
    },
    {
      name: 'upload',
      description: `A ${costs.uploadBytes / 1024} KiB request body POSTed to /echo and sent back: reading bodies.`,
      params: { path: '/echo', bodyBytes: costs.uploadBytes },
      requests: [
        request('POST', '/echo', {
          headers: { 'Content-Type': 'application/octet-stream' },
          body: uploadBody(costs.uploadBytes),
        }),
      ],
      ...keepAlive,
    },
    {
      name: 'session',
      description:
        'GET /session on kept-alive connections, each with its own cookie jar: every request sends back the signed cookie of its last answer, so the server verifies and re-signs an HMAC per request.',
      params: { path: '/session', cookieJar: true },
      requests: [request('GET', '/session')],
      ...keepAlive,
      cookieJar: true,
    },
    {
      name: 'slow-clients',
      description:
        `${costs.slowShare * 100}% of the connections (at least one) send GET /hello ${costs.slowBytesPerWrite} bytes every ${costs.slowWriteIntervalMs} ms ` +
        `(${slowBytes} bytes over ${slowMs / 1000} s, well within the servers' 10 s headers timeout, so they are slow, not cut off with a 408) ` +
        "while the others, the load generator's, measure /hello latency: a model that serves one connection at a time starves them.",
      params: {
        path: '/hello',
        slowShare: costs.slowShare,
        slowBytesPerWrite: costs.slowBytesPerWrite,
        slowWriteIntervalMs: costs.slowWriteIntervalMs,
        slowRequestBytes: slowBytes,
        slowRequestMs: slowMs,
      },
      requests: [request('GET', '/hello')],
      ...keepAlive,
      slowClients: slow,
    },
    ...databaseScenarios(costs.queriesPerRequest),
  ];
}

/** TechEmpower's database tests, each a scenario of its own, on kept-alive connections. */
function databaseScenarios(rows: number): ScenarioDef[] {
  const keepAlive = { pipelining: 1, newConnectionPerRequest: false };
  const database = (
    name: string,
    path: string,
    description: string,
    use: NonNullable<ScenarioDef['database']> = 'reads',
  ): ScenarioDef => ({
    name,
    description,
    params: { path, database: 'postgresql', ...(path.includes('=') ? { rowsPerRequest: rows } : {}) },
    requests: [request('GET', path)],
    ...keepAlive,
    database: use,
  });
  return [
    database('db', '/db', 'One random World row from the database server per request (TechEmpower "single query").'),
    database(
      'queries',
      `/queries?queries=${rows}`,
      `${rows} World rows per request, one query each (TechEmpower "multiple queries"): how a model waits on its database.`,
    ),
    database(
      'fortunes',
      '/fortunes',
      'Every Fortune row, one added, sorted and HTML-escaped into a page (TechEmpower "fortunes"): a query and a template.',
    ),
    database(
      'updates',
      `/updates?queries=${rows}`,
      `${rows} World rows read one by one, given new numbers and written back in one statement (TechEmpower "updates").`,
      'writes',
    ),
    database(
      'cached-queries',
      `/cached-queries?count=${rows}`,
      `${rows} World rows per request from a cache (in-process unless the run gives a cache server), the database asked on a miss (TechEmpower "cached queries").`,
      'cached',
    ),
  ];
}

/** Every scenario, by name, in the order they run. */
export const scenarios: readonly ScenarioDef[] = define(scenarioCosts);

export const scenarioNames: readonly string[] = scenarios.map((s) => s.name);

export function findScenario(name: string): ScenarioDef | undefined {
  return scenarios.find((s) => s.name === name);
}

/** What the results file records about a scenario. */
export function describeScenario(s: ScenarioDef): Scenario {
  return {
    name: s.name,
    description: s.description,
    params: {
      ...s.params,
      pipelining: s.pipelining,
      newConnectionPerRequest: s.newConnectionPerRequest,
      requestsPerCycle: s.requests.length,
    },
  };
}

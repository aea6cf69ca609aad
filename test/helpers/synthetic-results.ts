/**
 * Synthetic results files for tests of everything that reads results (report,
 * compare, dashboard, findings): deterministic figures with known answers.
 */
import type { Cell, Results, Trial } from '../../bench/results/schema.ts';
import { RESULTS_SCHEMA, RESULTS_VERSION } from '../../bench/results/schema.ts';

export interface SyntheticCell {
  model: string;
  scenario: string;
  connections: number;
  /** Median requests/s; trials spread around it by `noise` (relative, deterministic). */
  rps: number;
  /** Median p99 in µs. */
  p99Us?: number;
  trials?: number;
  noise?: number;
  kind?: 'model' | 'peer';
  clientBound?: boolean;
  /** Connections left unanswered to the end of a trial (the blocking model under keep-alive). */
  starved?: boolean;
  status?: Cell['status'];
  errors?: number;
  /** Per-group p99 (µs) for scenarios with groups. */
  groups?: Record<string, number>;
}

/** A deterministic pseudo-random sequence in [-1, 1], so tests are repeatable. */
function jitter(seed: number): number {
  const x = Math.sin(seed * 12.9898) * 43758.5453;
  return (x - Math.floor(x)) * 2 - 1;
}

function latency(p99: number, seed: number) {
  const p50 = p99 / 4;
  return {
    p50,
    p90: p99 / 2,
    p99,
    p999: p99 * 1.5,
    max: p99 * 2,
    mean: p50 * 1.2,
    spectrum: [50, 75, 90, 99, 99.9, 99.99].map((p, i): [number, number] => [
      p,
      Math.round(p50 * (1 + i * i * 0.6) * (1 + 0.01 * jitter(seed + i))),
    ]),
  };
}

export function syntheticTrial(rps: number, p99Us: number, seed: number, extra: Partial<Trial> = {}): Trial {
  const durationSec = 5;
  return {
    durationSec,
    requests: Math.round(rps * durationSec),
    requestsPerSec: rps,
    bytesPerSec: rps * 150,
    latencyUs: latency(p99Us, seed),
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    serverCpuSec: (rps * durationSec) / 20000,
    serverPeakRssBytes: 60e6 + (seed % 7) * 1e6,
    loadgenCpuSec: durationSec * 0.5,
    loadgenCpuShare: 0.5,
    ...extra,
  };
}

function stat(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const mad = [...values.map((v) => Math.abs(v - median))].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return { median, min: sorted[0] ?? 0, max: sorted.at(-1) ?? 0, relSpread: median ? mad / median : 0 };
}

export function syntheticCell(spec: SyntheticCell, seedBase = 1): Cell {
  const n = spec.trials ?? 3;
  const noise = spec.noise ?? 0.02;
  const p99 = spec.p99Us ?? 2000;
  const status = spec.status ?? 'ok';
  const trials =
    status === 'ok'
      ? Array.from({ length: n }, (_, i) => {
          const seed = seedBase * 101 + i;
          const t = syntheticTrial(spec.rps * (1 + noise * jitter(seed)), p99 * (1 + noise * jitter(seed + 50)), seed, {
            errors: spec.errors ?? 0,
          });
          if (spec.groups) {
            t.groups = Object.fromEntries(
              Object.entries(spec.groups).map(([g, gp99], j) => [
                g,
                {
                  requests: Math.round(t.requests / 2),
                  latencyUs: latency(gp99 * (1 + noise * jitter(seed + j)), seed + j),
                },
              ]),
            );
          }
          return t;
        })
      : [];
  const summary = trials.length
    ? {
        requestsPerSec: stat(trials.map((t) => t.requestsPerSec)),
        bytesPerSec: stat(trials.map((t) => t.bytesPerSec)),
        p50Us: stat(trials.map((t) => t.latencyUs.p50)),
        p90Us: stat(trials.map((t) => t.latencyUs.p90)),
        p99Us: stat(trials.map((t) => t.latencyUs.p99)),
        p999Us: stat(trials.map((t) => t.latencyUs.p999)),
        maxUs: stat(trials.map((t) => t.latencyUs.max)),
        cpuPerKiloReq: stat(trials.map((t) => (t.serverCpuSec * 1000) / Math.max(1, t.requests))),
        serverPeakRssBytes: stat(trials.map((t) => t.serverPeakRssBytes)),
        loadgenCpuShare: stat(trials.map((t) => t.loadgenCpuShare)),
        errors: trials.reduce((s, t) => s + t.errors, 0),
        timeouts: 0,
        non2xx: 0,
        ...(spec.groups
          ? {
              groupP99Us: Object.fromEntries(
                Object.keys(spec.groups).map((g) => [g, stat(trials.map((t) => t.groups?.[g]?.latencyUs.p99 ?? 0))]),
              ),
            }
          : {}),
      }
    : null;
  return {
    model: spec.model,
    kind: spec.kind ?? 'model',
    scenario: spec.scenario,
    connections: spec.connections,
    loadgen: 'autocannon',
    status,
    ...(status !== 'ok' ? { error: 'synthetic failure' } : {}),
    validation: {
      ok: status !== 'failed',
      checked: 3,
      failures: status === 'failed' ? ['GET /hello: expected 200, got 500'] : [],
    },
    warmup: trials[0] ?? null,
    trials,
    summary,
    flags: {
      clientBound: spec.clientBound ?? false,
      errored: (spec.errors ?? 0) > 0,
      ...(spec.starved ? { starved: true } : {}),
      notes: spec.clientBound ? ['load generator reached 90% of its calibrated ceiling'] : [],
    },
  };
}

/** A whole results file; cells default to a small grid of the four models on two scenarios. */
export function syntheticResults(cells?: SyntheticCell[], overrides: Partial<Results> = {}): Results {
  const specs = cells ?? defaultGrid();
  const models = [...new Set(specs.map((c) => c.model))];
  const scenarios = [...new Set(specs.map((c) => c.scenario))];
  const connections = [...new Set(specs.map((c) => c.connections))].sort((a, b) => a - b);
  return {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    runId: '2026-11-23T06-00-00Z-synthetic',
    startedAt: '2026-11-23T06:00:00.000Z',
    finishedAt: '2026-11-23T06:05:00.000Z',
    complete: true,
    machine: {
      cpuModel: 'Synthetic CPU @ 3.0GHz',
      cores: 2,
      memoryBytes: 24 * 2 ** 30,
      os: 'Linux',
      kernel: '6.1.0',
      node: 'v20.20.2',
    },
    git: { commit: '0123456789abcdef0123456789abcdef01234567', dirty: false, commitTime: '2026-11-23T05:59:00.000Z' },
    config: {
      profile: 'synthetic',
      models,
      scenarios,
      connections,
      durationSec: 5,
      warmupSec: 1,
      trials: 3,
      loadgen: 'autocannon',
      serverCpus: '0',
      clientCpus: '1',
    },
    calibration: [
      { loadgen: 'autocannon', connections: 64, requestsPerSec: 45000, loadgenCpuShare: 0.98, durationSec: 3 },
    ],
    scenarios: scenarios.map((name) => ({ name, description: `synthetic ${name}`, params: {} })),
    cells: specs.map((spec, i) => syntheticCell(spec, i + 1)),
    ...overrides,
  };
}

function defaultGrid(): SyntheticCell[] {
  const base: Record<string, number> = {
    blocking: 8000,
    'process-per-request': 40,
    'event-loop': 30000,
    'worker-pool': 12000,
  };
  const out: SyntheticCell[] = [];
  for (const scenario of ['hello', 'io']) {
    for (const connections of [1, 16, 64]) {
      for (const [model, rps] of Object.entries(base)) {
        const io = scenario === 'io';
        const r = io
          ? model === 'blocking' || model === 'process-per-request'
            ? 45
            : Math.min(rps, connections * 48)
          : rps;
        out.push({
          model,
          scenario,
          connections,
          rps: r,
          p99Us: (connections * 1e6) / Math.max(1, r),
          clientBound: model === 'event-loop' && !io && connections >= 16,
        });
      }
    }
  }
  return out;
}

/**
 * The counted figure of a cell (`--measure instructions`): user-space instructions per request of
 * the model's whole process tree under Valgrind, from the engine in bench/counted/ (its method and
 * why: docs/counted.md). Counted once per model and scenario, beside the timed trials, and stored
 * in the cell's summary (`instructionsPerRequest`) with its blocks and tools (`counted`).
 */
import { countedDefaults } from '../counted/defaults.ts';
import { measureInstructions } from '../counted/measure.ts';
import type { ScenarioDef } from '../plan/scenarios.ts';
import { poolSize } from '../plan/servers.ts';
import type { Cell, Stat } from '../results/schema.ts';

/**
 * Requests per block by scenario, where the default (2,500) would make a slow cell: blocks sized to
 * hold about the same instructions keep the same median (docs/counted.md: within 0.17%). Each holds
 * whole cycles of its scenario (mixed's cycle is 10 requests).
 */
const blockRequestsOf: Record<string, number> = { 'static-small': 350, mixed: 40, upload: 400 };

/**
 * V8's own heap sizes. A fixed semi-space takes the allocation rate's clock out of the young
 * generation's size, but makes each scavenge a lump of ~14M instructions every few thousand
 * requests, so that the median of four blocks followed where the lumps fell: three runs side by side
 * gave 32,743, 34,553 and 34,540 (blocks ±32%), against 31,967 and 32,128 with V8's sizing
 * (docs/counted.md, "GC").
 */
const nodeFlags: string[] = [];

/** Why a scenario is not counted, or undefined when it can be: the engine's client is one sequential keep-alive connection. */
export function notCountable(scenario: ScenarioDef): string | undefined {
  if (scenario.newConnectionPerRequest) return 'a connection per request';
  if (scenario.pipelining > 1) return 'pipelined';
  if (scenario.slowClients) return 'slow clients beside the load';
  if (scenario.cookieJar) return 'a cookie jar per connection';
  if (scenario.database) return "the database server's work is another process's (not counted)";
  if (scenario.requests.some((r) => /^\/io\b/.test(r.path)))
    return 'a backend wait (a timer: no instructions to count)';
  return undefined;
}

/** The environment variables of the test-only injections the servers run with (recorded with the figure). */
export function injectedFromEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => /^SERVER_MODELS_INJECT_/.test(entry[0]) && !!entry[1],
    ),
  );
}

/** Count `model` on `scenario`; `threads` is the server CPUs its timed cells ran with (the pool follows them). */
export async function countCell(
  model: string,
  scenario: ScenarioDef,
  threads: number,
  log: (line: string) => void = () => {},
  node?: { path: string; version: string },
): Promise<{ instructionsPerRequest: Stat; counted: NonNullable<Cell['counted']> }> {
  const pool = poolSize(model, threads);
  const defaults = countedDefaults(model, pool);
  const blockRequests =
    model === 'process-per-request'
      ? defaults.blockRequests
      : (blockRequestsOf[scenario.name] ?? defaults.blockRequests);
  const measured = await measureInstructions({
    model,
    requests: scenario.requests.map(({ check: _check, group: _group, ...request }) => request),
    warmupRequests: defaults.warmupRequests,
    blockRequests,
    blocks: defaults.blocks,
    discardBlocks: defaults.discardBlocks,
    serveArgs: ['--threads', String(pool)],
    ...(nodeFlags.length ? { nodeFlags } : {}),
    ...(node ? { node } : {}),
    log,
  });
  const summary = measured.instructionsPerRequest;
  const kept = measured.blocks.filter((b) => !b.discarded);
  const injected = injectedFromEnvironment();
  return {
    instructionsPerRequest: {
      median: summary.median,
      min: summary.min,
      max: summary.max,
      relSpread: summary.spreadPercent / 100,
    },
    counted: {
      blocks: kept.map((b) => b.perRequest),
      blockRequests,
      warmupRequests: measured.warmup.requests,
      method:
        `one sequential keep-alive client, every answer checked (status and framing); warm-up of ${measured.warmup.requests} ` +
        `requests over ${measured.warmup.connections} connections, then ${measured.blocks.length} blocks of ${blockRequests}, ` +
        `the first ${measured.setup.discardBlocks} discarded; the median of the rest (pooled: ${Math.round(summary.pooled)}); ` +
        `instrumentation ${measured.setup.instrumentation}; ` +
        `${(measured.cellMs / 1000).toFixed(0)} s under Valgrind`,
      valgrind: measured.setup.valgrind,
      valgrindFlags: measured.setup.flags,
      node: measured.setup.node,
      ...(Object.keys(injected).length > 0 ? { injected } : {}),
    },
  };
}

/**
 * The counted figure of one cell: a server model under Callgrind, loaded by
 * one sequential keep-alive client, and the instructions of every process of
 * the server counted over blocks of a fixed number of requests.
 *
 *   bundle serve.ts -> start under valgrind -> warm up -> per block:
 *   on (or zero) -> N requests, each answer checked -> off -> dump -> sum the dumps
 *
 * Why the first blocks are discarded and how long the warm-up is: docs/counted.md.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeScratchDir } from '../../servers/scratch-dir.ts';
import { type CountedBlock, checkPlan, type InstructionsSummary, perRequest, summarise } from './blocks.ts';
import { readCallgrindFile } from './callgrind-output.ts';
import { type CountedRequest, SequentialClient } from './client.ts';
import { bundleServe } from './bundle-serve.ts';
import { CallgrindServer, type Instrumentation, valgrindVersion } from './valgrind.ts';

/** What to measure. */
export interface MeasureOptions {
  /** A model `serve.ts --model` knows. */
  model: string;
  /** The scenario's cycle of requests (a bench ScenarioDef's `requests` fit). */
  requests: CountedRequest[];
  /** Requests before the first block. */
  warmupRequests: number;
  /**
   * Connections the warm-up is spread over, one after the other (default 8). More than one
   * matters: while a closure has been created only once (one connection's callbacks), V8
   * specialises its optimised code to that one context; the first new connection throws the
   * code away and compiles it again, generic, and slower (docs/counted.md).
   */
  warmupConnections?: number;
  /** Requests per block. */
  blockRequests: number;
  /** Blocks measured, the discarded ones included. */
  blocks: number;
  /** The first blocks are measured and recorded but left out of the summary (see docs/counted.md). */
  discardBlocks?: number;
  /** Requests per block, block by block, instead of `blocks` × `blockRequests` (e.g. N, 2N, N, 2N). */
  blockPlan?: number[];
  /** Default: `always` for process-per-request (see Instrumentation), `toggle` for the others. */
  instrumentation?: Instrumentation;
  /** After the blocks, count the idle server for this long: its timers' instructions per second. */
  idleMs?: number;
  /**
   * Leave the server idle this long between the warm-up and the first block (default 0). Only to
   * reproduce the first look, where seconds passed there: see docs/counted.md.
   */
  pauseAfterWarmupMs?: number;
  /** More serve.ts flags (e.g. ['--threads', '2']). */
  serveArgs?: string[];
  /** More Valgrind flags (e.g. ['--fair-sched=yes']). */
  valgrindFlags?: string[];
  /** Node flags for the server process, before the serve file. */
  nodeFlags?: string[];
  /** Extra environment for the server (e.g. a fault injection's variable). */
  env?: Record<string, string>;
  /** The Node that serves (its binary and version); this process's own when unset. */
  node?: { path: string; version: string };
  /** A serve file to run instead of bundling servers/serve.ts (a hand-edited copy, for instance). */
  serveFile?: string;
  /** Keep the run's folder (the dumps, for callgrind_annotate) instead of removing it. */
  keepFiles?: boolean;
  /** How long one response may take under Valgrind. */
  responseTimeoutMs?: number;
  /** Progress lines (to stderr in the CLI). */
  log?: (line: string) => void;
}

/** What was measured, with everything needed to reproduce it. */
export interface InstructionsMeasurement {
  model: string;
  instructionsPerRequest: InstructionsSummary;
  blocks: CountedBlock[];
  warmup: { requests: number; connections: number; wallMs: number };
  /**
   * The idle server's instructions per second, when `idleMs` was given, and what that rate
   * adds to a request at the kept blocks' pace (per second × their wall time / their
   * requests): the bound on what timers leak into the figure by the blocks' wall duration.
   */
  idle?: { wallMs: number; instructions: number; perSecond: number; perRequestAtBlockPace: number };
  /** Wall times under Valgrind: start to listening, and the whole cell (start to stopped). */
  startMs: number;
  cellMs: number;
  /** Connections the client opened (1 unless the server closed an idle one between blocks). */
  connections: number;
  setup: {
    valgrind: string;
    node: string;
    /** valgrind's flags, exactly as given. */
    flags: string[];
    command: string[];
    instrumentation: Instrumentation;
    event: 'Ir';
    warmupRequests: number;
    blockRequests: number[];
    discardBlocks: number;
  };
  /** The run's folder, when kept. */
  dir?: string;
}

/**
 * V8 flags every counted server runs with. The memory reducer starts major GCs from timers when the
 * allocation rate per millisecond of wall time falls, and under Valgrind on a loaded machine it does:
 * four counts side by side put a ~100M-instruction lump (one block at 66k instructions a request
 * against 23.5k) in one block of four, and the median followed it; with the reducer off, the same four
 * kept their blocks within 2% (docs/counted.md, "GC"). What is counted is then the request's own work.
 */
export const countedNodeFlags = ['--no-memory-reducer'];

const defaults = { discardBlocks: 1, warmupConnections: 8, responseTimeoutMs: 120_000, startTimeoutMs: 180_000 };

/** Measure a cell's user-space instructions per request under Callgrind. */
export async function measureInstructions(options: MeasureOptions): Promise<InstructionsMeasurement> {
  const log = options.log ?? (() => {});
  const plan = options.blockPlan ?? Array.from({ length: options.blocks }, () => options.blockRequests);
  const discardBlocks = options.discardBlocks ?? defaults.discardBlocks;
  checkPlan(plan, options.requests.length, discardBlocks);
  const instrumentation = options.instrumentation ?? (options.model === 'process-per-request' ? 'always' : 'toggle');
  const serveFile = options.serveFile ?? (await bundleServe());
  const serveArgs = ['--model', options.model, '--host', '127.0.0.1', '--port', '0', ...(options.serveArgs ?? [])];
  const dir = makeScratchDir('counted');
  // The server runs plain JavaScript: no loader inherited through NODE_OPTIONS.
  const { NODE_OPTIONS: _loader, ...inherited } = process.env;
  const env = { ...inherited, ...(options.env ?? {}) };
  const began = performance.now();
  const server = await CallgrindServer.start(
    {
      serveFile,
      serveArgs,
      nodeFlags: [...countedNodeFlags, ...(options.nodeFlags ?? [])],
      ...(options.node ? { node: options.node.path } : {}),
      valgrindFlags: options.valgrindFlags ?? [],
      instrumentation,
      dir,
      env,
    },
    defaults.startTimeoutMs,
  ).catch((error: unknown) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const startMs = performance.now() - began;
  log(`${options.model}: listening under Callgrind after ${(startMs / 1000).toFixed(1)} s (${dir})`);
  const client = new SequentialClient(
    server.url,
    options.requests,
    options.responseTimeoutMs ?? defaults.responseTimeoutMs,
  );
  try {
    const warmupBegan = performance.now();
    const warmupConnections = options.warmupConnections ?? defaults.warmupConnections;
    for (let connection = 0; connection < warmupConnections; connection++) {
      const share = Math.floor(options.warmupRequests / warmupConnections);
      const requests = connection === 0 ? options.warmupRequests - share * (warmupConnections - 1) : share;
      await client.run(requests);
      // The blocks run on a connection of their own, opened after the warm-up's.
      client.close();
    }
    const warmup = {
      requests: options.warmupRequests,
      connections: warmupConnections,
      wallMs: performance.now() - warmupBegan,
    };
    log(`${options.model}: warm-up of ${warmup.requests} requests in ${(warmup.wallMs / 1000).toFixed(1)} s`);

    if (options.pauseAfterWarmupMs) await sleep(options.pauseAfterWarmupMs);
    const blocks: CountedBlock[] = [];
    for (const [position, requests] of plan.entries()) {
      const block = await countBlock(server, client, instrumentation, requests, `block ${position + 1}`);
      blocks.push({ index: position + 1, ...block, discarded: position < discardBlocks });
      log(
        `${options.model}: block ${position + 1}: ${requests} requests, ${block.instructions} instructions, ` +
          `${Math.round(block.perRequest)}/request, ${(block.wallMs / 1000).toFixed(1)} s, ${block.processes} processes`,
      );
    }
    const idle =
      options.idleMs === undefined ? undefined : await countIdle(server, instrumentation, options.idleMs, blocks);
    client.close();
    await server.stop();
    return {
      model: options.model,
      instructionsPerRequest: summarise(blocks),
      blocks,
      warmup,
      ...(idle === undefined ? {} : { idle }),
      startMs,
      cellMs: performance.now() - began,
      connections: client.connections,
      setup: {
        valgrind: await valgrindVersion(),
        node: options.node?.version ?? process.version,
        flags: server.flags,
        command: [
          options.node?.path ?? process.execPath,
          ...countedNodeFlags,
          ...(options.nodeFlags ?? []),
          serveFile,
          ...serveArgs,
        ],
        instrumentation,
        event: 'Ir',
        warmupRequests: options.warmupRequests,
        blockRequests: plan,
        discardBlocks,
      },
      ...(options.keepFiles ? { dir } : {}),
    };
  } catch (error) {
    throw new Error(`${options.model}: ${(error as Error).message}\n${server.stderrTail()}`);
  } finally {
    client.close();
    await server.stop();
    if (!options.keepFiles) rmSync(dir, { recursive: true, force: true });
  }
}

/** One block: its requests, counted in every process of the server. */
async function countBlock(
  server: CallgrindServer,
  client: SequentialClient,
  instrumentation: Instrumentation,
  requests: number,
  label: string,
): Promise<Omit<CountedBlock, 'index' | 'discarded'>> {
  // Reconnect, if the server closed the idle connection, before counting starts.
  await client.ready();
  const before = await server.pids();
  const filesBefore = server.outputFiles();
  if (instrumentation === 'toggle') await server.instrument('on', before);
  else await server.zero(before);
  const began = performance.now();
  await client.run(requests);
  const wallMs = performance.now() - began;
  const after = await server.pids();
  if (instrumentation === 'toggle') {
    // A process that came or went in a toggled block was counted for part of it only.
    if (after.join() !== before.join()) throw new Error(`${label}: processes ${before} became ${after}`);
    await server.instrument('off', after);
  }
  await server.dump(after, label.replace(/\s/g, '-'));
  const instructions = sumNewDumps(server, filesBefore);
  return {
    requests,
    instructions: instructions.total,
    perRequest: perRequest(instructions.total, requests),
    wallMs,
    processes: instructions.files,
  };
}

/** The idle server counted for `ms`: what its timers cost per second. */
async function countIdle(
  server: CallgrindServer,
  instrumentation: Instrumentation,
  ms: number,
  blocks: CountedBlock[],
): Promise<NonNullable<InstructionsMeasurement['idle']>> {
  const pids = await server.pids();
  const filesBefore = server.outputFiles();
  if (instrumentation === 'toggle') await server.instrument('on', pids);
  else await server.zero(pids);
  const began = performance.now();
  await sleep(ms);
  if (instrumentation === 'toggle') await server.instrument('off', pids);
  const wallMs = performance.now() - began;
  await server.dump(pids, 'idle');
  const { total } = sumNewDumps(server, filesBefore);
  const perSecond = total / (wallMs / 1000);
  const kept = blocks.filter((block) => !block.discarded);
  const keptSeconds = kept.reduce((sum, block) => sum + block.wallMs, 0) / 1000;
  const keptRequests = kept.reduce((sum, block) => sum + block.requests, 0);
  return { wallMs, instructions: total, perSecond, perRequestAtBlockPace: (perSecond * keptSeconds) / keptRequests };
}

/** Sum the instructions of the output files written since `before`: this block's dumps and ended children. */
function sumNewDumps(server: CallgrindServer, before: Set<string>): { total: number; files: number } {
  let total = 0;
  let files = 0;
  for (const name of server.outputFiles()) {
    if (before.has(name)) continue;
    const dump = readCallgrindFile(join(server.dir, name));
    total += dump.totals.Ir ?? 0;
    files++;
  }
  return { total, files };
}

/**
 * Command line for the counted figures (until the bench's `--measure
 * instructions` drives the engine): one cell, its blocks and its summary as JSON.
 *
 *   tsx bench/counted/cli.ts --model event-loop --scenario hello \
 *       [--warmup 20000] [--block 5000] [--blocks 4] [--discard 1] [--plan 5000,10000] \
 *       [--idle-ms 5000] [--serve-file FILE] [--keep] [--env NAME=VALUE]
 */
import { parseArgs } from 'node:util';
import { findScenario } from '../plan/scenarios.ts';
import { countedDefaults } from './defaults.ts';
import { measureInstructions } from './measure.ts';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    scenario: { type: 'string', default: 'hello' },
    warmup: { type: 'string' },
    block: { type: 'string' },
    blocks: { type: 'string' },
    discard: { type: 'string' },
    plan: { type: 'string' },
    'idle-ms': { type: 'string' },
    pause: { type: 'string' },
    'warmup-connections': { type: 'string' },
    'node-flag': { type: 'string', multiple: true },
    'valgrind-flag': { type: 'string', multiple: true },
    'serve-file': { type: 'string' },
    env: { type: 'string', multiple: true },
    keep: { type: 'boolean' },
  },
});
if (values.model === undefined) throw new Error('--model NAME');
const scenario = findScenario(values.scenario);
if (scenario === undefined) throw new Error(`unknown scenario ${values.scenario}`);
const base = countedDefaults(values.model);
const number = (raw: string | undefined, fallback: number): number => (raw === undefined ? fallback : Number(raw));
const result = await measureInstructions({
  model: values.model,
  requests: scenario.requests,
  warmupRequests: number(values.warmup, base.warmupRequests),
  blockRequests: number(values.block, base.blockRequests),
  blocks: number(values.blocks, base.blocks),
  discardBlocks: number(values.discard, base.discardBlocks),
  ...(values.plan === undefined ? {} : { blockPlan: values.plan.split(',').map(Number) }),
  ...(values.pause === undefined ? {} : { pauseAfterWarmupMs: Number(values.pause) }),
  ...(values['idle-ms'] === undefined ? {} : { idleMs: Number(values['idle-ms']) }),
  ...(values['serve-file'] === undefined ? {} : { serveFile: values['serve-file'] }),
  ...(values['warmup-connections'] === undefined ? {} : { warmupConnections: Number(values['warmup-connections']) }),
  nodeFlags: values['node-flag'] ?? [],
  valgrindFlags: values['valgrind-flag'] ?? [],
  env: Object.fromEntries(
    (values.env ?? []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
  ),
  keepFiles: values.keep ?? false,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify({ scenario: scenario.name, ...result }, null, 2)}\n`);

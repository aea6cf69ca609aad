/**
 * The harness and its database server: a database scenario starts one, every cell
 * records the database's CPU and the connections held, and nothing of PostgreSQL is
 * left running after Ctrl-C (SIGINT) or SIGKILL of the harness. A bad --db-url is a
 * usage error (exit 2).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isAlive } from '../../bench/os/processes.ts';
import { processTree } from '../../bench/os/procfs.ts';
import { Results } from '../../bench/results/schema.ts';
import { redisUnavailable } from '../../servers/cache/redis.ts';

const work = mkdtempSync(join(tmpdir(), 'server-models-db-bench-'));
after(() => rmSync(work, { recursive: true, force: true }));

const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};
/** The folder of the cluster a postmaster runs in (its `-k` socket folder). */
const folderOf = (postmaster: number): string | undefined => /-k (\S+)/.exec(commandOf(postmaster))?.[1];

function bench(args: string[]) {
  const harness = spawn(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--profile', 'smoke', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  harness.stdout.on('data', (d: Buffer) => (output += d));
  harness.stderr.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<number | null>((resolve) => harness.once('exit', (code) => resolve(code)));
  return { harness, exited, output: () => output };
}

/** The postgres processes under the harness, once a server of ours (serve's bundle, `--model M`) runs beside them. */
async function postgresUnder(pid: number): Promise<number[]> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const tree = processTree(pid).map((p) => p.pid);
    const postgres = tree.filter((p) => commandOf(p).startsWith('postgres') || commandOf(p).includes('bin/postgres'));
    if (postgres.length > 0 && tree.some((p) => commandOf(p).includes(' --model '))) return postgres;
    await new Promise((r) => setTimeout(r, 100));
  }
  return [];
}

async function noneLeft(pids: number[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  const alive = () => pids.filter((p) => isAlive(p) && commandOf(p) !== '');
  while (Date.now() < deadline && alive().length > 0) await new Promise((r) => setTimeout(r, 100));
  return alive().map((p) => `${p} ${commandOf(p).slice(0, 80)}`);
}

describe('bench with a database scenario', () => {
  it('records the database server beside the server, and validates updates', async () => {
    const out = join(work, 'ok.json');
    const run = bench([
      '--models',
      'event-loop',
      '--scenarios',
      'db,updates',
      '--connections',
      '4',
      '--duration',
      '1',
      '--rounds',
      '1',
      '--out',
      out,
    ]);
    assert.equal(await run.exited, 0, run.output());
    const results = Results.parse(JSON.parse(readFileSync(out, 'utf8')));
    const database = results.config.extra?.database as { kind: string } | undefined;
    assert.equal(database?.kind, 'embedded');
    for (const cell of results.cells) {
      assert.equal(cell.status, 'ok', cell.error);
      for (const trial of cell.trials) {
        assert.ok((trial.dbCpuSec ?? 0) > 0, `${cell.scenario}: no database CPU recorded`);
        assert.ok((trial.dbPeakRssBytes ?? 0) > 0);
        assert.ok((trial.dbConnections ?? 0) >= 1);
      }
    }
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`leaves no postgres process after ${signal}`, async () => {
      const run = bench([
        '--models',
        'event-loop',
        '--scenarios',
        'db',
        '--duration',
        '5',
        '--out',
        join(work, `${signal}.json`),
      ]);
      const postgres = await postgresUnder(run.harness.pid!);
      assert.ok(postgres.length > 0, `no postgres under the harness: ${run.output()}`);
      const folder = postgres.map(folderOf).find(Boolean) as string;
      run.harness.kill(signal);
      await run.exited;
      assert.deepEqual(await noneLeft(postgres), []);
      // SIGKILL leaves the harness no time to remove the cluster's folder: only SIGINT is held to that.
      if (signal === 'SIGINT') assert.equal(existsSync(folder), false, `${folder} left behind`);
      else rmSync(folder, { recursive: true, force: true });
    });
  }

  it('cached-queries reads a private Redis the run starts and stops', {
    skip: redisUnavailable() ?? false,
  }, async () => {
    const out = join(work, 'cached.json');
    const run = bench([
      '--models',
      'event-loop',
      '--scenarios',
      'cached-queries',
      '--duration',
      '1',
      '--rounds',
      '1',
      '--out',
      out,
    ]);
    let redis: number[] = [];
    const deadline = Date.now() + 60_000;
    while (redis.length === 0 && Date.now() < deadline && run.harness.exitCode === null) {
      redis = processTree(run.harness.pid!)
        .map((p) => p.pid)
        .filter((p) => commandOf(p).includes('redis-server'));
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(await run.exited, 0, run.output());
    assert.ok(redis.length > 0, `no redis-server under the harness: ${run.output()}`);
    assert.deepEqual(await noneLeft(redis), []);
    const results = Results.parse(JSON.parse(readFileSync(out, 'utf8')));
    const cache = (results.config.extra?.database as { cache?: { kind: string } } | undefined)?.cache;
    assert.equal(cache?.kind, 'redis');
    assert.deepEqual(
      results.cells.map((c) => [c.status, c.cache]),
      results.cells.map(() => ['ok', 'redis']),
    );
  });

  it('a --cache it cannot use is one line and exit 2, before any database starts', async () => {
    const run = bench([
      '--scenarios',
      'cached-queries',
      '--cache',
      'redis://127.0.0.1:1',
      '--out',
      join(work, 'c.json'),
    ]);
    assert.equal(await run.exited, 2);
    assert.match(run.output(), /^bench: --cache 127\.0\.0\.1:1: cannot use this cache server[^\n]*\n$/);
  });

  it('a --db-url it cannot use is one line and exit 2', async () => {
    const run = bench([
      '--scenarios',
      'db',
      '--db-url',
      'postgres://u:p@127.0.0.1:1/x',
      '--out',
      join(work, 'bad.json'),
    ]);
    assert.equal(await run.exited, 2);
    assert.match(run.output(), /^bench: --db-url[^\n]*\n$/);
  });
});

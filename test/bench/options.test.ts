import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { parseOptions, UsageError } from '../../bench/plan/options.ts';
import { expandCpuList, place } from '../../bench/os/placement.ts';
import { plannedSeconds, profiles } from '../../bench/plan/profiles.ts';

describe('bench options', () => {
  it('starts from the quick profile and lets flags override any part', () => {
    const o = parseOptions([
      '--connections',
      '2,8',
      '--duration',
      '0.5',
      '--trials',
      '4',
      '--scenarios',
      'hello,io',
      '--loadgen',
      'wrk',
      '--warmup',
      '0',
    ]);
    assert.equal(o.profile, 'quick');
    assert.deepEqual(o.connections, [2, 8]);
    assert.equal(o.durationSec, 0.5);
    assert.equal(o.trials, 4);
    assert.equal(o.warmupSec, 0);
    assert.deepEqual(o.scenarios, ['hello', 'io']);
    assert.equal(o.loadgen, 'wrk');
    assert.equal(o.models, 'all');
  });
  it('takes a profile as the base', () => {
    const o = parseOptions(['--profile', 'full', '--models', 'event-loop']);
    assert.deepEqual(o.connections, profiles.full?.connections);
    assert.deepEqual(o.models, ['event-loop']);
  });
  for (const [argv, pattern] of [
    [['--nope'], /unknown option '--nope'/],
    [['--profile', 'huge'], /unknown profile "huge"/],
    [['--connections', '0'], /--connections takes positive whole numbers/],
    [['--duration', 'abc'], /--duration/],
    [['--scenarios', 'hello,zzz'], /unknown scenario "zzz"/],
    [['--loadgen', 'ab'], /--loadgen must be one of autocannon, wrk/],
    [['--server-cpus', 'x'], /--server-cpus takes a CPU list/],
    [['stray'], /positional/],
  ] as const) {
    it(`refuses ${argv.join(' ')} with a one-line usage error`, () => {
      assert.throws(
        () => parseOptions([...argv]),
        (e: unknown) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes('\n'),
      );
    });
  }
  it('exits 2 with one line on a bad flag (the real command)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/bench.ts', '--connections', 'many'], {
      encoding: 'utf8',
    });
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^bench: --connections takes positive whole numbers, not "many"\n$/);
  });
});

describe('placement', () => {
  it('puts the server on CPU 0 and the load generator on CPU 1 on two cores', () => {
    const p = place(undefined, undefined, 2);
    assert.equal(p.serverCpus, '0');
    assert.equal(p.clientCpus, '1');
    assert.equal(p.serverCpuCount, 1);
  });
  it('splits larger machines in halves', () => {
    const p = place(undefined, undefined, 8);
    assert.equal(p.serverCpus, '0-3');
    assert.equal(p.clientCpus, '4-7');
    assert.equal(p.serverCpuCount, 4);
  });
  it('leaves one core unpinned, and honours "none" and explicit lists', () => {
    assert.equal(place(undefined, undefined, 1).serverCpus, null);
    assert.equal(place(null, null, 4).clientCpus, null);
    assert.equal(place('1', undefined, 2).clientCpus, '0');
    assert.match(place('0', '0', 2).note, /overlapping/);
  });
  it('refuses a CPU the machine does not have', () => {
    assert.throws(() => place('5', undefined, 2), /names CPU 5, but this machine has CPUs 0-1/);
  });
  it('expands CPU lists', () => {
    assert.deepEqual(expandCpuList('0-2,5'), [0, 1, 2, 5]);
  });
});

describe('the wall-time plan', () => {
  it('grows with cells, trials and durations', () => {
    const quick = { durationSec: 1, warmupSec: 0.5, trials: 1 };
    assert.ok(plannedSeconds(20, quick, 1) > plannedSeconds(10, quick, 1));
    assert.ok(plannedSeconds(10, { ...quick, trials: 3 }, 1) > plannedSeconds(10, quick, 1));
    assert.ok(plannedSeconds(10, quick, 1) >= 10 * 2.5);
  });
});

describe('database scenarios and their options', () => {
  it('takes --db-url and --db-pool, and defaults to the embedded cluster with pools of 8', () => {
    assert.equal(parseOptions([]).databaseUrl, null);
    assert.equal(parseOptions([]).databasePoolSize, 8);
    const o = parseOptions(['--db-url', 'postgres://u:p@127.0.0.1:5432/x', '--db-pool', '4']);
    assert.equal(o.databaseUrl, 'postgres://u:p@127.0.0.1:5432/x');
    assert.equal(o.databasePoolSize, 4);
    assert.throws(() => parseOptions(['--db-pool', '0']), /--db-pool takes positive whole numbers/);
  });
  it('refuses database scenarios named with --rtt, and leaves the profile’s out under it', () => {
    assert.throws(
      () => parseOptions(['--rtt', '5', '--scenarios', 'hello,db']),
      /--rtt: the database scenarios \(db\)/,
    );
    const o = parseOptions(['--rtt', '5']);
    assert.ok(!o.scenarios.includes('db') && !o.scenarios.includes('fortunes'), o.scenarios.join());
    assert.ok(o.scenarios.includes('hello'));
    assert.ok(parseOptions([]).scenarios.includes('db'));
  });
});

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCallgrind, readCallgrindFile } from '../../bench/counted/callgrind-output.ts';

/** A dump as `callgrind_control -d` writes it with --dump-instr=no, cut to a few cost lines. */
const dump = `# callgrind format
version: 1
creator: callgrind-3.19.0
pid: 17612
cmd:  /usr/bin/node serve.mjs --model event-loop
part: 3

desc: I1 cache: 
desc: Timerange: Basic block 3710223 - 9710223
desc: Trigger: Client Request: block-3

positions: line
events: Ir
summary: 0

ob=(1) /usr/bin/node
fl=(1) ???
fn=(1) uv_run
0 120
cfn=(2) uv__io_poll
calls=1 0
0 149417054

totals: 149417174
`;

describe('parseCallgrind', () => {
  it('reads the totals line by event name, with the dump header', () => {
    const parsed = parseCallgrind(dump);
    assert.deepEqual(parsed.totals, { Ir: 149_417_174 });
    assert.equal(parsed.pid, 17612);
    assert.equal(parsed.part, 3);
    assert.equal(parsed.trigger, 'Client Request: block-3');
  });

  it('prefers totals to a summary of 0 (a dump taken with instrumentation off)', () => {
    assert.equal(parseCallgrind(dump).totals.Ir, 149_417_174);
  });

  it('falls back to summary, and gives trailing events left off the value 0', () => {
    const older = 'events: Ir Dr Dw\nsummary: 500 20\n';
    assert.deepEqual(parseCallgrind(older).totals, { Ir: 500, Dr: 20, Dw: 0 });
  });

  it('refuses a file with no events or no totals, or a total that is not a count', () => {
    assert.throws(() => parseCallgrind('totals: 5\n'), /no "events:" line/);
    assert.throws(() => parseCallgrind('events: Ir\n'), /neither "totals:" nor "summary:"/);
    assert.throws(() => parseCallgrind('events: Ir\ntotals: 5x\n'), /is not a count/);
  });

  it('reads a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'counted-test-'));
    try {
      const file = join(dir, 'callgrind.out.17612.3');
      writeFileSync(file, dump);
      assert.equal(readCallgrindFile(file).totals.Ir, 149_417_174);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

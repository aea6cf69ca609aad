/** The registry: what serve --help and the harness list. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findServer, registry } from '../../servers/registry.ts';

describe('registry', () => {
  it('lists the four models, prefork and reuseport as models, node-http as a peer, each with a summary', () => {
    const kinds = Object.fromEntries(registry.map((entry) => [entry.name, entry.kind]));
    assert.deepEqual(kinds, {
      blocking: 'model',
      'process-per-request': 'model',
      'event-loop': 'model',
      'worker-pool': 'model',
      prefork: 'model',
      reuseport: 'model',
      'node-http': 'peer',
    });
    for (const entry of registry) assert.ok(entry.summary.length > 20 && !entry.summary.includes('\n'), entry.name);
  });

  it('marks reuseport unavailable, with the reason, where Node lacks reusePort', async () => {
    const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
    const supported = major >= 24 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
    const reuseport = findServer('reuseport')!;
    if (supported) return assert.equal(reuseport.unavailable, undefined);
    assert.match(reuseport.unavailable ?? '', /reusePort.*22\.12/);
    await assert.rejects(reuseport.start({} as never), /unavailable/);
  });
});

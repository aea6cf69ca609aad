/**
 * The protocol layer is pure (design.md, Layers): it imports nothing of the project outside
 * servers/protocol and no module that reaches the file system, the network or the clock, so that
 * every core, the conformance runner and the benchmark judge the same bytes-in, requests-out code.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const protocol = fileURLToPath(new URL('../../servers/protocol/', import.meta.url));

function importsOf(file: string): string[] {
  const text = readFileSync(`${protocol}${file}`, 'utf8');
  return [...text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1]!);
}

describe('servers/protocol layering', () => {
  const files = readdirSync(protocol).filter((name) => name.endsWith('.ts'));

  it('finds the modules and their imports', () => {
    assert.ok(files.includes('parser.ts'));
    assert.ok(importsOf('parser.ts').length > 0);
  });

  it('imports only its own modules and no I/O', () => {
    for (const file of files) {
      for (const specifier of importsOf(file)) {
        const own = /^\.\/[a-z-]+\.ts$/.test(specifier);
        assert.ok(own, `${file} imports ${specifier}: the protocol layer imports only servers/protocol modules`);
      }
    }
  });
});

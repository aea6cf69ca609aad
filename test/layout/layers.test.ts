/**
 * The layering, checked from the imports alone (style.md: "layering you can check").
 * Data flows one way: protocol <- app <- cores <- serve; bench drives servers; reports
 * read results files only; entry points live in scripts/; nothing outside test/ imports
 * test/. Every relative specifier counts: static imports and exports, `import('…')`
 * with a literal, and `new URL('…', import.meta.url)` naming a .ts module (how the
 * cores start their workers and children). Also: no source file outside test/ passes
 * 400 lines.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const sourceFolders = ['servers', 'bench', 'reports', 'scripts', 'test'];

function tsFiles(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(path);
      } else if (entry.name.endsWith('.ts')) found.push(path);
    }
  };
  walk(folder);
  return found;
}

const specifierPatterns = [
  /^\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/gm,
  /^\s*import\s*['"]([^'"]+)['"]/gm,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bnew URL\(\s*['"]([^'"]+\.ts)['"]\s*,\s*import\.meta\.url\s*\)/g,
];

/** The repository paths a file names as modules (relative specifiers only). */
export function importsOf(file: string, text: string): string[] {
  const targets = new Set<string>();
  for (const pattern of specifierPatterns) {
    for (const match of text.matchAll(pattern)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) targets.add(posix.normalize(posix.join(posix.dirname(file), specifier)));
    }
  }
  return [...targets];
}

/** Which layer a path belongs to, most specific first. */
function layerOf(path: string): string {
  const layers = [...serverLayers, 'bench/results', 'bench', 'reports', 'scripts', 'test'];
  return layers.find((layer) => path === layer || path.startsWith(`${layer}/`) || path === `${layer}.ts`) ?? 'other';
}

const serverLayers = [
  'servers/protocol',
  'servers/app',
  'servers/cores',
  'servers/peers',
  'servers/defaults',
  'servers/optional-packages',
  'servers',
];

/** What each layer may import, by layer (its own layer is always allowed). */
const allowed: Record<string, string[]> = {
  'servers/protocol': [],
  // A leaf: the packages some features need, loaded on first use (it imports nothing of ours).
  'servers/optional-packages': [],
  // The servers' defaults fill the cores' options; the app and the cores read only what they are given.
  'servers/defaults': ['servers/protocol', 'servers/app', 'servers/cores'],
  'servers/app': ['servers/protocol', 'servers/optional-packages'],
  'servers/cores': ['servers/protocol', 'servers/app', 'servers/optional-packages'],
  'servers/peers': ['servers/protocol', 'servers/app', 'servers/cores', 'servers/defaults'],
  // serve.ts and registry.ts (the servers' command line and the list of them), database/ and cache/: any.
  servers: serverLayers.filter((layer) => layer !== 'servers'),
  'bench/results': [],
  bench: ['bench/results', ...serverLayers],
  reports: ['bench/results'],
  scripts: ['bench', 'bench/results', 'reports', ...serverLayers],
  test: ['bench', 'bench/results', 'reports', 'scripts', ...serverLayers],
};

/** Every import that runs against the rules, as `from -> to (from layer -> to layer)`. */
export function violations(files: { path: string; text: string }[]): string[] {
  const found: string[] = [];
  for (const { path, text } of files) {
    const from = layerOf(path);
    for (const target of importsOf(path, text)) {
      const to = layerOf(target);
      if (to === from || to === 'other') continue;
      if (!(allowed[from] ?? []).includes(to)) found.push(`${path} -> ${target} (${from} may not import ${to})`);
    }
  }
  return found;
}

const sources = sourceFolders.flatMap((folder) =>
  tsFiles(folder).map((path) => ({ path, text: readFileSync(join(root, path), 'utf8') })),
);

describe('layers', () => {
  it('finds the imports it must check (static, dynamic, worker URLs)', () => {
    const text = [
      "import type { A } from '../protocol/types.ts';",
      "export { b } from './b.ts';",
      "const m = await import('../../reports/render.ts');",
      "const w = fileURLToPath(new URL('./worker-pool/worker.ts', import.meta.url));",
      "import { x } from 'node:fs';",
    ].join('\n');
    assert.deepEqual(importsOf('servers/cores/x.ts', text).sort(), [
      'reports/render.ts',
      'servers/cores/b.ts',
      'servers/cores/worker-pool/worker.ts',
      'servers/protocol/types.ts',
    ]);
  });

  it('catches an import against the flow', () => {
    const bad = [
      { path: 'servers/protocol/parser.ts', text: "import { x } from '../app/app.ts';" },
      { path: 'reports/charts/a.ts', text: "import { stat } from '../../bench/run/cell.ts';" },
      { path: 'bench/run/run.ts', text: "const r = await import('../../reports/render.ts');" },
      { path: 'scripts/conformance.ts', text: "import { run } from '../test/protocol/runner.ts';" },
      { path: 'bench/results/stats.ts', text: "import { x } from '../run/cell.ts';" },
    ];
    assert.equal(violations(bad).length, bad.length);
  });

  it('holds for the whole tree', () => {
    assert.deepEqual(violations(sources), []);
  });

  it('keeps every source file outside test/ under 400 lines', () => {
    const long = sources
      .filter(({ path }) => !path.startsWith('test/'))
      .map(({ path, text }) => ({ path, lines: text.split('\n').length }))
      .filter(({ lines }) => lines > 400)
      .map(({ path, lines }) => `${relative('.', path)}: ${lines} lines`);
    assert.deepEqual(long, []);
  });
});

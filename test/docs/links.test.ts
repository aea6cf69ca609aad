/**
 * The docs point into the code by line (`../../servers/cores/blocking.ts#L29-L39`).
 * Code moves; a link that silently points at the wrong lines teaches the wrong
 * thing. This test fails instead: every relative link in README.md and docs/
 * must resolve to a file inside the repository, a `#Lx` or `#Lx-Ly` anchor must
 * lie within that file, a heading anchor must name a heading of the Markdown file
 * it points to, every registered server has its page under docs/models/, and every
 * such page draws its model as a Mermaid sequence diagram.
 * (A link can still point at lines that moved within the file's length: re-read
 * the linked lines when you change a core.)
 */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import GithubSlugger from 'github-slugger';
import { lexer, marked, type Token, type TokensList } from 'marked';
import { registry } from '../../servers/registry.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** README.md and every Markdown file under docs/, relative to `root`. */
function markdownFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  if (existsSync(join(root, 'README.md'))) found.push('README.md');
  return found.sort();
}

/** Every link and image target in a Markdown text, code blocks and code spans excluded; raw HTML `href`/`src` included. */
function linkTargets(tokens: TokensList): string[] {
  const targets: string[] = [];
  marked.walkTokens(tokens, (token: Token) => {
    if (token.type === 'link' || token.type === 'image') targets.push(token.href);
    else if (token.type === 'html') {
      for (const match of token.text.matchAll(/\b(?:href|src)\s*=\s*"([^"]*)"/gi)) targets.push(match[1]!);
    }
  });
  return targets;
}

/** The text a heading shows, as GitHub slugs it (formatting and link syntax removed). */
function plainText(tokens: Token[]): string {
  return tokens
    .map((token) => {
      if ('tokens' in token && Array.isArray(token.tokens) && token.tokens.length > 0) return plainText(token.tokens);
      return 'text' in token && typeof token.text === 'string' ? token.text : '';
    })
    .join('');
}

/** The anchors GitHub gives a Markdown file's headings, plus explicit `<a id>`/`<a name>` ones. */
function headingAnchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  const tokens = lexer(markdown);
  marked.walkTokens(tokens, (token: Token) => {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText(token.tokens ?? [])));
    else if (token.type === 'html') {
      for (const match of token.text.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*"([^"]+)"/gi)) anchors.add(match[1]!);
    }
  });
  return anchors;
}

/** Lines of a text file, as GitHub numbers them (a final newline does not start a line). */
function lineCount(path: string): number {
  const text = readFileSync(path, 'utf8');
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

/** What is wrong with one link target of the Markdown file `from` (relative to `root`); undefined when it resolves. */
function checkTarget(root: string, from: string, target: string): string | undefined {
  // Absolute URLs (http:, mailto:, ...) and protocol-relative ones are not ours to check.
  if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) return undefined;
  const hash = target.indexOf('#');
  const pathPart = hash < 0 ? target : target.slice(0, hash);
  const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
  if (pathPart.startsWith('/'))
    return `${target}: root-relative links do not resolve on GitHub; link relative to ${from}`;
  const file = pathPart === '' ? join(root, from) : resolve(root, dirname(from), decodeURI(pathPart));
  const inside = relative(root, file);
  if (inside.startsWith('..') || inside.startsWith(sep)) return `${target}: leads outside the repository`;
  if (!existsSync(file)) return `${target}: no such file ${inside}`;
  if (anchor === undefined || anchor === '') return undefined;
  const lines = /^L(\d+)(?:-L(\d+))?$/.exec(anchor);
  if (lines) {
    if (!statSync(file).isFile()) return `${target}: a line anchor on a directory`;
    const first = Number(lines[1]);
    const last = lines[2] === undefined ? first : Number(lines[2]);
    const length = lineCount(file);
    if (first < 1 || last < first) return `${target}: line range L${first}-L${last} is empty or reversed`;
    if (last > length) return `${target}: ${inside} has ${length} lines, the link points at line ${last}`;
    return undefined;
  }
  if (file.endsWith('.md')) {
    if (!headingAnchors(readFileSync(file, 'utf8')).has(anchor))
      return `${target}: ${inside} has no heading #${anchor}`;
    return undefined;
  }
  return `${target}: the anchor #${anchor} is neither #Lx, #Lx-Ly nor a Markdown heading`;
}

/** Every problem with the links of `file` (relative to `root`). */
function checkFile(root: string, file: string): string[] {
  const tokens = lexer(readFileSync(join(root, file), 'utf8'));
  return linkTargets(tokens)
    .map((target) => checkTarget(root, file, target))
    .filter((problem): problem is string => problem !== undefined);
}

/** Whether a Markdown text has a ```mermaid block that is a sequenceDiagram. */
function hasSequenceDiagram(markdown: string): boolean {
  let found = false;
  marked.walkTokens(lexer(markdown), (token: Token) => {
    if (token.type === 'code' && token.lang === 'mermaid' && /^\s*sequenceDiagram\b/.test(token.text)) found = true;
  });
  return found;
}

describe('docs links', () => {
  const files = markdownFiles(repoRoot);

  it('finds the docs to check', () => {
    assert.ok(files.includes('README.md'), 'README.md');
    assert.ok(
      files.some((f) => f.startsWith(join('docs', 'models') + sep)),
      'docs/models/*.md',
    );
  });

  for (const file of files) {
    it(`${file}: every relative link resolves, every line anchor is within its file`, () => {
      assert.deepEqual(checkFile(repoRoot, file), []);
    });
  }

  it('has a page under docs/models/ for every registered server', () => {
    const missing = registry
      .map((entry) => `docs/models/${entry.name}.md`)
      .filter((page) => !existsSync(join(repoRoot, page)));
    assert.deepEqual(missing, []);
  });

  it("links every registered server's page to lines of its own code", () => {
    const unlinked = registry
      .filter((entry) => existsSync(join(repoRoot, 'docs', 'models', `${entry.name}.md`)))
      .filter((entry) => {
        const page = join('docs', 'models', `${entry.name}.md`);
        const code = [join('servers', 'cores', `${entry.name}.ts`), join('servers', 'peers', `${entry.name}.ts`)];
        return !linkTargets(lexer(readFileSync(join(repoRoot, page), 'utf8'))).some((target) => {
          const [path = '', anchor] = target.split('#');
          return (
            anchor !== undefined &&
            /^L\d/.test(anchor) &&
            code.includes(relative(repoRoot, resolve(repoRoot, dirname(page), path)))
          );
        });
      })
      .map((entry) => entry.name);
    assert.deepEqual(unlinked, []);
  });

  for (const page of files.filter((f) => f.startsWith(join('docs', 'models') + sep))) {
    it(`${page}: draws its model as a Mermaid sequenceDiagram`, () => {
      assert.ok(
        hasSequenceDiagram(readFileSync(join(repoRoot, page), 'utf8')),
        `${page} has no \`\`\`mermaid block starting with sequenceDiagram`,
      );
    });
  }
});

describe('the link check itself', () => {
  // A small repository with one good link of each kind and one broken link of each kind.
  const root = mkdtempSync(join(tmpdir(), 'server-models-links-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, 'docs', 'models'), { recursive: true });
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'core.ts'), 'one\ntwo\nthree\n');
  writeFileSync(join(root, 'docs', 'other.md'), '# Other page\n\n## Where `time` goes\n');
  writeFileSync(
    join(root, 'docs', 'models', 'm.md'),
    [
      '# M',
      '[ok](../../src/core.ts#L1-L3) [ok](../../src/core.ts#L2) [ok](../other.md#where-time-goes) [ok](#m) [ok](https://example.org/x)',
      '[lines](../../src/core.ts#L2-L4) [file](../../src/gone.ts#L1) [heading](../other.md#nowhere) [outside](../../../x.md)',
      '[reversed](../../src/core.ts#L3-L2) [anchor](../../src/core.ts#main) [root](/src/core.ts)',
      '`[code](not/checked.md)`',
      '',
      '```mermaid',
      'flowchart LR',
      '```',
      '',
    ].join('\n'),
  );

  it('passes the good links and names each broken one', () => {
    const problems = checkFile(root, join('docs', 'models', 'm.md'));
    assert.deepEqual(
      problems.map((p) => p.slice(0, p.indexOf(':'))),
      [
        '../../src/core.ts#L2-L4',
        '../../src/gone.ts#L1',
        '../other.md#nowhere',
        '../../../x.md',
        '../../src/core.ts#L3-L2',
        '../../src/core.ts#main',
        '/src/core.ts',
      ],
    );
    assert.match(problems[0]!, /has 3 lines, the link points at line 4/);
  });

  it('tells a sequence diagram from another Mermaid diagram', () => {
    assert.equal(hasSequenceDiagram(readFileSync(join(root, 'docs', 'models', 'm.md'), 'utf8')), false);
    assert.equal(hasSequenceDiagram('```mermaid\nsequenceDiagram\n  A->>B: hi\n```\n'), true);
  });
});

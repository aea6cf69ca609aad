/**
 * Carry the docs' line links (`../servers/cores/blocking.ts#L29-L39`) across a change of the code:
 * every `#Lx` or `#Lx-Ly` anchor in README.md and docs/ that pointed into a file at BASE (a commit)
 * is moved to where git's diff from BASE to the working tree puts those lines, following renames.
 * A linked line that the change rewrote maps to the nearest line of its new hunk; re-read those.
 *
 *   npm run docs:relink -- BASE
 *
 * Prints one line per link it moved and one per link it could not follow (its file gone).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const git = (...args: string[]): string => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

/** old line -> new line through one file's diff hunks (`git diff -U0`). */
interface Hunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
}

function hunksOf(base: string, oldPath: string, newPath: string): Hunk[] {
  const diff = git('diff', '-U0', '--no-color', base, '--', oldPath, newPath);
  const hunks: Hunk[] = [];
  for (const match of diff.matchAll(/^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/gm)) {
    hunks.push({
      oldStart: Number(match[1]),
      oldCount: match[2] === undefined ? 1 : Number(match[2]),
      newStart: Number(match[3]),
      newCount: match[4] === undefined ? 1 : Number(match[4]),
    });
  }
  return hunks;
}

function mapLine(line: number, hunks: Hunk[]): number {
  let shift = 0;
  for (const hunk of hunks) {
    // A pure insertion (oldCount 0) sits after oldStart; a change covers oldStart..oldStart+oldCount-1.
    const firstOld = hunk.oldCount === 0 ? hunk.oldStart + 1 : hunk.oldStart;
    if (line < firstOld) break;
    if (hunk.oldCount > 0 && line < hunk.oldStart + hunk.oldCount) {
      const offset = Math.min(line - hunk.oldStart, Math.max(hunk.newCount - 1, 0));
      return Math.max(hunk.newStart + offset, 1);
    }
    shift += hunk.newCount - hunk.oldCount;
  }
  return line + shift;
}

/** Paths renamed between BASE and the working tree, old -> new. */
function renames(base: string): Map<string, string> {
  const moved = new Map<string, string>();
  git('add', '--intent-to-add', '--all');
  for (const line of git('diff', '-M', '--name-status', base).split('\n')) {
    const [status, from, to] = line.split('\t');
    if (status?.startsWith('R') && from && to) moved.set(from, to);
  }
  return moved;
}

function markdownFiles(): string[] {
  const found = ['README.md'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = posix.join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.md')) found.push(path);
    }
  };
  walk('docs');
  return found;
}

function main(): void {
  const base = process.argv[2];
  if (!base) {
    process.stderr.write('relink-docs: give the commit the links were written against\n');
    process.exit(2);
  }
  const moved = renames(base);
  const hunkCache = new Map<string, Hunk[]>();
  let changes = 0;
  for (const doc of markdownFiles()) {
    const text = readFileSync(join(root, doc), 'utf8');
    const docDir = dirname(doc);
    // A link's text often repeats its anchor (`[connection.ts#L147-L169](…#L147-L169)`): it moves too.
    const next = text.replace(
      /\[([^\]]*)\]\(([^)#\s]+)#L(\d+)(?:-L(\d+))?\)/g,
      (whole, label: string, target: string, a: string, b?: string) => {
        const oldPath = posix.normalize(posix.join(docDir, target));
        const newPath = moved.get(oldPath) ?? oldPath;
        let hunks = hunkCache.get(oldPath);
        if (!hunks) {
          try {
            hunks = hunksOf(base, oldPath, newPath);
          } catch {
            process.stdout.write(`${doc}: cannot follow ${target}\n`);
            return whole;
          }
          hunkCache.set(oldPath, hunks);
        }
        const from = mapLine(Number(a), hunks);
        const to = b === undefined ? from : Math.max(mapLine(Number(b), hunks), from);
        const oldAnchor = `#L${a}${b === undefined ? '' : `-L${b}`}`;
        const newAnchor = `#L${from}${to === from ? '' : `-L${to}`}`;
        const newTarget = newPath === oldPath ? target : relative(docDir, newPath);
        const newLabel = label.replace(oldAnchor, newAnchor).replace(posix.basename(oldPath), posix.basename(newPath));
        const link = `[${newLabel}](${newTarget}${newAnchor})`;
        if (link !== whole) changes++;
        return link;
      },
    );
    if (next !== text) writeFileSync(join(root, doc), next);
  }
  process.stdout.write(`${changes} line links moved\n`);
}

main();

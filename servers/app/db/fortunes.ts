/**
 * TechEmpower's Fortune table (its 12 rows, seeded into the database server)
 * and the page GET /fortunes renders from it, in TechEmpower's template.
 */
import type { Fortune } from '../io.ts';

/** The rows of TechEmpower's Fortune table, as its create scripts insert them. */
export const fortuneRows: readonly Fortune[] = Object.freeze([
  { id: 1, message: 'fortune: No such file or directory' },
  { id: 2, message: "A computer scientist is someone who fixes things that aren't broken." },
  { id: 3, message: 'After enough decimal places, nobody gives a damn.' },
  { id: 4, message: 'A bad random number generator: 1, 1, 1, 1, 1, 4.33e+67, 1, 1, 1' },
  { id: 5, message: 'A computer program does what you tell it to do, not what you want it to do.' },
  { id: 6, message: 'Emacs is a nice operating system, but I prefer UNIX. — Tom Christaensen' },
  { id: 7, message: 'Any program that runs right is obsolete.' },
  { id: 8, message: 'A list is only as strong as its weakest link. — Donald Knuth' },
  { id: 9, message: 'Feature: A bug with seniority.' },
  { id: 10, message: 'Computers make very fast, very accurate mistakes.' },
  { id: 11, message: '<script>alert("This should not be displayed in a browser alert box.");</script>' },
  { id: 12, message: 'フレームワークのベンチマーク' },
]);

/** The fortune every request adds to the rows it read (id 0), as TechEmpower asks. */
export const addedFortune = 'Additional fortune added at request time.';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] as string);
}

/** The page: the rows read plus the added one, sorted by message (by UTF-16 code units), escaped. */
export function fortunesPage(read: readonly Fortune[]): string {
  const rows = [...read, { id: 0, message: addedFortune }].sort((a, b) =>
    a.message < b.message ? -1 : a.message > b.message ? 1 : 0,
  );
  const cells = rows.map((f) => `<tr><td>${f.id}</td><td>${escapeHtml(f.message)}</td></tr>`).join('');
  return `<!DOCTYPE html><html><head><title>Fortunes</title></head><body><table><tr><th>id</th><th>message</th></tr>${cells}</table></body></html>`;
}

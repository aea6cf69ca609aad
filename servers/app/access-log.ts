/** The access log in Common Log Format: `host ident user [date] "request line" status bytes`. */
import { appendFileSync } from 'node:fs';

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** CLF's date, `10/Oct/2000:13:55:36 +0000` (always UTC). */
export function clfDate(date: Date): string {
  return `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

/** One entry of the log. */
export interface AccessEntry {
  host: string;
  user?: string | undefined;
  date: Date;
  method: string;
  target: string;
  version: string;
  status: number;
  bytes: number;
}

/** One CLF line, without its newline. */
export function formatAccessLine(e: AccessEntry): string {
  const request = `${e.method} ${e.target} HTTP/${e.version}`.replace(/["\\]/g, (c) => `\\${c}`);
  return `${e.host} - ${e.user || '-'} [${clfDate(e.date)}] "${request}" ${e.status} ${e.bytes > 0 ? e.bytes : '-'}`;
}

/**
 * Appends lines to a file, buffered and flushed in batches so that logging does not
 * cost a system call per request; `close()` flushes what is left.
 */
export class AccessLog {
  private pending: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly file: string, private readonly flushEveryMs = 200) {}

  write(entry: AccessEntry): void {
    this.pending.push(formatAccessLine(entry));
    this.timer ??= setTimeout(() => this.flush(), this.flushEveryMs).unref();
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const text = this.pending.join('\n') + '\n';
    this.pending = [];
    appendFileSync(this.file, text);
  }

  close(): void {
    this.flush();
  }
}

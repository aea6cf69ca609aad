/**
 * A finding: one classic claim about the models, stated as a check with a
 * threshold and evaluated on a results file. The report and the Markdown summary
 * show every finding as held / not held / not measured, with the figures behind it.
 */
export type FindingStatus = 'held' | 'not-held' | 'not-measured';

export interface Finding {
  /** Stable identifier, e.g. `io-event-loop-vs-blocking`. */
  id: string;
  /** Short title for a table row. */
  title: string;
  /** The claim in plain words, with its threshold. */
  claim: string;
  status: FindingStatus;
  /** The figures the verdict was computed from (names chosen by the check). */
  figures: Record<string, number | string>;
  /** One or two sentences: what the figures show, or what is missing to measure it. */
  detail: string;
  /** When not held: what would explain it (a client-bound cell, too few CPUs, ...). */
  explanation?: string;
  /** Where the threshold comes from (a paper, a book, first runs). */
  source: string;
}

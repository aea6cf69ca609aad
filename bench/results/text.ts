/**
 * Plain text for a terminal of a given width, shared by the bench's progress and tables
 * (bench/run/display.ts) and compare's (compare/render.ts): words wrapped, nothing cut.
 */

/** Plain words wrapped at `width`, lines after the first indented by `indent` spaces. */
export function wrapText(text: string, width: number, indent = 2): string {
  const lines = [''];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = lines[lines.length - 1] as string;
    if (last.trim() === '' || last.length + 1 + word.length <= width)
      lines[lines.length - 1] = last.trim() === '' ? `${last}${word}` : `${last} ${word}`;
    else lines.push(`${' '.repeat(indent)}${word}`);
  }
  return lines.join('\n');
}

/**
 * A help text fitted to `width`: a line too long is wrapped with a hanging indent at the column its
 * words start in (after `  --flag VALUE  `, or the line's own leading spaces), so every flag's
 * description stays in its column on an 80-column terminal and uses the room of a wider one.
 */
export function fitHelp(text: string, width: number): string {
  return text
    .split('\n')
    .map((line) => {
      if (line.length <= width) return line;
      const flag = /^(\s+\S+(?: \S+)?\s{2,})/.exec(line)?.[1];
      const hang = flag && flag.length < width / 2 ? flag.length : (/^\s*/.exec(line)?.[0].length ?? 0);
      const words = wrapText(line.slice(hang), width - hang, 0).split('\n');
      return words.map((w, i) => (i === 0 ? `${line.slice(0, hang)}${w}` : `${' '.repeat(hang)}${w}`)).join('\n');
    })
    .join('\n');
}

/**
 * Language negotiation by Accept-Language (RFC 9110 §12.5.4, ranges as in
 * RFC 4647): which of the languages a resource exists in suits the client best.
 */

/** One language-range of Accept-Language, lower-cased, with its weight and place in the list. */
interface LanguageRange {
  range: string;
  q: number;
  position: number;
}

const rangeSyntax = /^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/;
const qSyntax = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/** The ranges of an Accept-Language value; an element with bad syntax is skipped, not the whole header. */
export function parseAcceptLanguage(value: string): LanguageRange[] {
  const ranges: LanguageRange[] = [];
  for (const element of value.split(',')) {
    const [name = '', ...params] = element.split(';').map((part) => part.trim().toLowerCase());
    if (!rangeSyntax.test(name)) continue;
    let q = 1;
    // weight = OWS ";" OWS "q=" qvalue: a malformed weight (`q = 0.1`, `q=2`) drops its element.
    const weight = params.find((p) => /^q\s*=/.test(p));
    if (weight !== undefined) {
      if (!qSyntax.test(weight)) continue;
      q = Number(weight.slice(2));
    }
    ranges.push({ range: name, q, position: ranges.length });
  }
  return ranges;
}

/**
 * How closely `range` names `tag`: 3 the same, 2 one is the other's region or
 * script (`zh-CN` and `zh`, either way round), 1 the wildcard, 0 not at all.
 */
function closeness(range: string, tag: string): number {
  if (range === tag) return 3;
  if (range.startsWith(`${tag}-`) || tag.startsWith(`${range}-`)) return 2;
  return range === '*' ? 1 : 0;
}

/**
 * The best of `available` (lower-case tags, the default first) for an
 * Accept-Language value. Each language takes the weight of the closest range
 * that names it, so `zh;q=0, *` excludes Chinese and `*;q=0, zh` takes it; the
 * highest weight wins, then the range the client listed first, then the order
 * of `available`. No header, or nothing acceptable, gives the default: a page
 * in the default language serves better than a 406.
 */
export function negotiateLanguage(value: string | undefined, available: readonly string[]): string | undefined {
  const fallback = available[0];
  if (value === undefined) return fallback;
  const ranges = parseAcceptLanguage(value);
  let best: { tag: string; q: number; position: number } | undefined;
  for (const tag of available) {
    let match: LanguageRange | undefined;
    let matchCloseness = 0;
    for (const range of ranges) {
      const c = closeness(range.range, tag);
      if (c > matchCloseness || (c === matchCloseness && c > 0 && match !== undefined && range.q > match.q)) {
        match = range;
        matchCloseness = c;
      }
    }
    if (match === undefined || match.q === 0) continue;
    if (best === undefined || match.q > best.q || (match.q === best.q && match.position < best.position))
      best = { tag, q: match.q, position: match.position };
  }
  return best?.tag ?? fallback;
}

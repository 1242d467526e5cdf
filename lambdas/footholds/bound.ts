// The footholds as the workflow state carries them: the whole list goes to the incident bucket
// (footholds.json), the state holds 256 KB in all, so what travels is kept under a size.
import { Foothold, Footholds } from './contract';
import { KIND_ORDER } from './find';

/** Characters of the footholds in the investigation's output (its whole output stays well under 100 KB). */
export const MAX_FOOTHOLDS_CHARS = 50_000;

/** Gaps listed (each one line); the rest are counted in one more line. */
export const MAX_GAPS = 20;

/**
 * `found`, shortened to fit in `maxChars` of JSON: gaps beyond {@link MAX_GAPS} are counted, then
 * footholds are kept in {@link KIND_ORDER} (what can be contained first) while they fit. What is left
 * out is said in `truncated`: the footholds step contains only what it is given, and its summary
 * counts a bound that bit as still open.
 */
export function boundFootholds(found: Footholds, maxChars: number = MAX_FOOTHOLDS_CHARS): Footholds {
  const gaps = found.gaps.length <= MAX_GAPS
    ? found.gaps
    : [...found.gaps.slice(0, MAX_GAPS - 1), `and ${found.gaps.length - MAX_GAPS + 1} more records that do not say what they created or changed: see footholds.json`];
  const shortened: Footholds = { ...found, gaps };
  if (size(shortened) <= maxChars) return shortened;

  const rank = (f: Foothold) => KIND_ORDER.indexOf(f.kind);
  const ranked = found.footholds.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i);
  const note = (kept: number, omitted: string) =>
    `footholds: ${found.footholds.length} listed by the investigation, the first ${kept} carried by the workflow (containable kinds first, its state is kept small); left out: ${omitted}. They are in footholds.json and are NOT contained`;
  // Room for everything but the footholds, the note included (its longest form).
  let room = maxChars - size({ ...shortened, footholds: [], truncated: [...found.truncated, note(found.footholds.length, KIND_ORDER.map((k) => `${found.footholds.length} ${k}`).join(', '))] });
  const keep = new Set<number>();
  for (const { f, i } of ranked) {
    const cost = JSON.stringify(f).length + 1;
    if (cost > room) break;
    room -= cost;
    keep.add(i);
  }
  const left = new Map<string, number>();
  found.footholds.forEach((f, i) => {
    if (!keep.has(i)) left.set(f.kind, (left.get(f.kind) ?? 0) + 1);
  });
  const omitted = [...left].map(([kind, n]) => `${n} ${kind}`).join(', ');
  return {
    ...shortened,
    footholds: found.footholds.filter((_, i) => keep.has(i)),
    truncated: [...found.truncated, note(keep.size, omitted)],
  };
}

function size(value: unknown): number {
  return JSON.stringify(value).length;
}

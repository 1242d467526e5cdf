// The footholds as the workflow state carries them: the whole list goes to the incident bucket
// (footholds.json), the state holds 256 KB in all, so what travels is kept under a size.
import { Foothold, FootholdContainment, FootholdResult, Footholds } from './contract';
import { KIND_ORDER } from './find';

/** Characters of the footholds in the investigation's output (its whole output stays well under 100 KB). */
export const MAX_FOOTHOLDS_CHARS = 32_000;

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

  const note = (kept: number, omitted: string) =>
    `footholds: ${found.footholds.length} listed by the investigation, the first ${kept} carried by the workflow (containable kinds first, its state is kept small); left out: ${omitted}. They are in footholds.json and are NOT contained`;
  // Room for everything but the footholds, the note included (its longest form).
  const room = maxChars - size({ ...shortened, footholds: [], truncated: [...found.truncated, note(found.footholds.length, KIND_ORDER.map((k) => `${found.footholds.length} ${k}`).join(', '))] });
  const { kept, left } = fitting(found.footholds, (f: Foothold) => KIND_ORDER.indexOf(f.kind), room);
  return { ...shortened, footholds: kept, truncated: [...found.truncated, note(kept.length, counted(left, (f) => f.kind))] };
}

function size(value: unknown): number {
  return JSON.stringify(value).length;
}

/** Characters of the footholds step's result in the workflow state. */
export const MAX_CONTAINMENT_CHARS = 50_000;

/** Which results are kept first when the list must be shortened: what a human must look at. */
const STATUS_ORDER: readonly FootholdResult['status'][] = ['failed', 'open', 'skipped', 'dry-run', 'done', 'already', 'reported'];

/**
 * `out`, its `results` shortened to fit in `maxChars` of JSON: failed, open and skipped results
 * are kept before what was done, each in the plan's order. The summary is left whole (it counts
 * every result, and lists at most MAX_OPEN open items); what was left out is said in `truncated`.
 */
export function boundContainment(out: FootholdContainment, maxChars: number = MAX_CONTAINMENT_CHARS): FootholdContainment {
  if (size(out) <= maxChars) return out;
  const note = (left: FootholdResult[]) =>
    `${left.length} of ${out.results.length} results are not listed, to keep the workflow state small (${counted(left, (r) => r.status)}); the summary counts them`;
  const room = maxChars - size({ ...out, results: [], truncated: note(out.results) });
  const { kept, left } = fitting(out.results, (r: FootholdResult) => STATUS_ORDER.indexOf(r.status), room);
  return { ...out, results: kept, truncated: note(left) };
}

/**
 * The items that fit in `room` characters of JSON, taken lowest `rank` first (then in their
 * order), and kept in their order; and the items left out.
 */
function fitting<T>(items: readonly T[], rank: (item: T) => number, room: number): { kept: T[]; left: T[] } {
  const ranked = items.map((item, i) => ({ item, i })).sort((a, b) => rank(a.item) - rank(b.item) || a.i - b.i);
  const keep = new Set<number>();
  let free = room;
  for (const { item, i } of ranked) {
    const cost = size(item) + 1;
    if (cost > free) break;
    free -= cost;
    keep.add(i);
  }
  return { kept: items.filter((_, i) => keep.has(i)), left: items.filter((_, i) => !keep.has(i)) };
}

/** "3 user, 2 instance": how many items of each key, in order of first appearance. */
function counted<T>(items: readonly T[], key: (item: T) => string): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${k}`).join(', ');
}

// Small helpers for reading CloudTrail records (loose JSON) and keeping the output short.
import { clip } from '../shared/text';
import { LIMITS } from './contract';

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at `path` inside nested objects, or undefined. */
export function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** A non-empty string, or undefined. */
export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function addTo(set: Set<string>, value: string | undefined): void {
  if (value) set.add(value);
}

export { clip };

export function clipOptional(text: string | undefined, max: number): string | undefined {
  return text === undefined ? undefined : clip(text, max);
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedRecord(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => compare(a, b)));
}

/** The most frequent values, most frequent first (ties by value), long ones clipped. */
export function top(counts: Map<string, number>): Array<{ value: string; count: number }> {
  return [...counts.entries()]
    .sort(([a, x], [b, y]) => y - x || compare(a, b))
    .slice(0, LIMITS.topValues)
    .map(([value, count]) => ({ value: clip(value, LIMITS.text), count }));
}

// CloudTrail records as CloudTrail writes them (LookupEvents' `CloudTrailEvent`, or a line of the
// incident's activity.jsonl): read defensively, a record that cannot be read is counted, never guessed at.
import * as z from 'zod/mini';
import { apiName } from '../shared/event-name';
import { tryParseJson } from '../shared/json';
import { clip } from '../shared/text';
import { MAX_VALUE_CHARS, Proof } from './contract';

const Json = z.record(z.string(), z.unknown());

/**
 * The fields footholds are read from. Everything but the event's identity is optional: AWS service
 * calls carry no access key, failed calls no responseElements, and older records lack fields.
 */
export const TrailRecordSchema = z.looseObject({
  eventID: z.string().check(z.minLength(1)),
  eventTime: z.string().check(z.minLength(1)),
  eventSource: z.string().check(z.minLength(1)),
  eventName: z.string().check(z.minLength(1)),
  awsRegion: z.optional(z.string()),
  /** activity.jsonl adds the region the record was found in. */
  region: z.optional(z.string()),
  sourceIPAddress: z.optional(z.string()),
  userAgent: z.optional(z.string()),
  errorCode: z.optional(z.string()),
  userIdentity: z.optional(
    z.looseObject({
      type: z.optional(z.string()),
      arn: z.optional(z.string()),
      accountId: z.optional(z.string()),
      accessKeyId: z.optional(z.string()),
      userName: z.optional(z.string()),
    }),
  ),
  requestParameters: z.optional(z.nullable(Json)),
  responseElements: z.optional(z.nullable(Json)),
});
export type TrailRecord = z.infer<typeof TrailRecordSchema>;

/**
 * The readable records (oldest first, then by event id) and how many could not be read. Each
 * record's `eventName` is its API name (Lambda's `CreateFunction20150331` is `CreateFunction`).
 */
export function readRecords(input: readonly unknown[]): { records: TrailRecord[]; unreadable: number } {
  const records: TrailRecord[] = [];
  let unreadable = 0;
  for (const item of input) {
    const parsed = TrailRecordSchema.safeParse(typeof item === 'string' ? tryParseJson(item) : item);
    if (parsed.success && !Number.isNaN(Date.parse(parsed.data.eventTime))) records.push({ ...parsed.data, eventName: apiName(parsed.data.eventName) });
    else unreadable += 1;
  }
  records.sort((a, b) => compare(isoTime(a.eventTime), isoTime(b.eventTime)) || compare(a.eventID, b.eventID));
  return { records, unreadable };
}

/**
 * The lines of the incident's `activity.jsonl` (one record a line, as the investigation saves it),
 * for {@link readRecords} / findFootholds: blank lines are not records, so they are not counted
 * as unreadable.
 */
export function activityLines(body: string): string[] {
  return body.split(/\r?\n/).filter((line) => line.trim() !== '');
}

export function isoTime(time: string): string {
  return new Date(Date.parse(time)).toISOString();
}

/** The key that signed the call (AKIA... or a session's ASIA...), if any. */
export function callerKeyId(record: TrailRecord): string | undefined {
  return str(record.userIdentity?.accessKeyId);
}

/** The region the call was made in: CloudTrail's `awsRegion`, else where the record was found. */
export function regionOf(record: TrailRecord): string {
  return str(record.awsRegion) ?? str(record.region) ?? 'unknown';
}

export function proofOf(record: TrailRecord, callerKey: string): Proof {
  const proof: Proof = {
    eventId: record.eventID,
    eventTime: isoTime(record.eventTime),
    eventName: record.eventName,
    region: regionOf(record),
    callerKeyId: callerKey,
  };
  const ip = str(record.sourceIPAddress);
  if (ip) proof.sourceIp = ip;
  return proof;
}

export function request(record: TrailRecord): Record<string, unknown> {
  return record.requestParameters ?? {};
}

export function response(record: TrailRecord): Record<string, unknown> {
  return record.responseElements ?? {};
}

export function get(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A value from a record as one string: strings as they are, anything else as JSON; clipped. */
export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = typeof value === 'string' ? value : JSON.stringify(value);
  return clip(s, MAX_VALUE_CHARS);
}

/** `items[]` of a CloudTrail set (`instancesSet.items`, `tagSet.items`...). */
export function items(value: unknown, ...path: string[]): Array<Record<string, unknown>> {
  const list = get(value, ...path, 'items');
  return Array.isArray(list) ? list.filter((i): i is Record<string, unknown> => typeof i === 'object' && i !== null && !Array.isArray(i)) : [];
}

/** IAM tags as CloudTrail writes them (`[{key, value}]`), as a record; undefined when there are none. */
export function tagsOf(value: unknown): Record<string, string> | undefined {
  if (!Array.isArray(value)) return undefined;
  const tags: Record<string, string> = {};
  for (const t of value) {
    const key = str(get(t, 'key')) ?? str(get(t, 'Key'));
    const v = get(t, 'value') ?? get(t, 'Value');
    if (key && typeof v === 'string') tags[key] = v;
  }
  return Object.keys(tags).length > 0 ? tags : undefined;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

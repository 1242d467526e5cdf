// A scenario's `cloudTrail` entries (contract in docs/drill.md "Scenario"): CloudTrail records
// exactly as CloudTrail writes them, or the flat shortcut for hand-written cases, each read into
// one record of the real shape. An entry neither shape reads is an error naming it, never dropped.
import { z } from 'zod';

/** `requestParameters`, `responseElements`: an object or null, as in the record. */
const objectOrNull = (field: string) => z.record(z.string(), z.unknown(), { error: `${field} is an object or null` }).nullable().optional();
/** A time CloudTrail writes (`2024-08-01T11:30:23Z`). */
const EventTime = z.iso.datetime({ offset: true, message: 'eventTime is an ISO 8601 time, e.g. 2026-11-20T09:00:00Z' });
const Identity = z.looseObject({ type: z.string({ message: 'userIdentity is an object with its type (IAMUser, AssumedRole, FederatedUser...), as CloudTrail writes it' }) });
/** The resources CloudTrail lists in a record (`resources[]`), as it writes them. */
const Resources = z.array(z.looseObject({ ARN: z.string().optional(), accountId: z.string().optional(), type: z.string().optional() }));
/** A workflow state whose first LookupEvents the record waits for (see docs/drill.md): the drill's own field. */
const VisibleAfter = z.string().min(1).optional();

/** The fields both shapes read, as CloudTrail names them; and the drill's own `visibleAfter`. */
const CALL_FIELDS = {
  eventTime: EventTime,
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
  requestParameters: objectOrNull('requestParameters'),
  responseElements: objectOrNull('responseElements'),
  readOnly: z.boolean().optional(),
  managementEvent: z.boolean().optional(),
  resources: Resources.optional(),
  visibleAfter: VisibleAfter,
};

/** A CloudTrail record as captured (a trail's log file `Records[]`, or LookupEvents' `CloudTrailEvent`). */
const CapturedRecord = z.looseObject({
  ...CALL_FIELDS,
  eventVersion: z.string(),
  userIdentity: Identity,
  awsRegion: z.string().min(1),
  eventID: z.string().min(1),
  eventType: z.string().optional(),
  eventCategory: z.string().optional(),
  recipientAccountId: z.string().optional(),
});

/**
 * The flat shortcut: `region` (default us-east-1), `accessKeyId` and `userName` (an IAMUser
 * identity made of them) or the record's own `userIdentity`, `eventId`; every other field as
 * CloudTrail names it. Nothing else: a field the shortcut does not read is an error.
 */
const FlatEntry = z.strictObject({
  ...CALL_FIELDS,
  region: z.string().min(1).optional(),
  eventId: z.string().min(1).optional(),
  accessKeyId: z.string().min(1).optional(),
  userName: z.string().min(1).optional(),
  userIdentity: Identity.optional(),
}).check((ctx) => {
  // One record has one caller: a flat field that says otherwise than its userIdentity is an error, not a guess.
  const { accessKeyId, userName, userIdentity } = ctx.value;
  if (accessKeyId && userIdentity?.accessKeyId !== undefined && userIdentity.accessKeyId !== accessKeyId) {
    ctx.issues.push({ code: 'custom', input: accessKeyId, path: ['accessKeyId'], message: 'accessKeyId is not the key of its userIdentity: give one of them' });
  }
  if (userName && userIdentity && userIdentity.userName !== userName) {
    ctx.issues.push({ code: 'custom', input: userName, path: ['userName'], message: 'userName is not its userIdentity\'s userName: with a userIdentity, LookupEvents reads the name from it (a session\'s name for an AssumedRole)' });
  }
});
type FlatEntry = z.infer<typeof FlatEntry>;

/** Fields only CloudTrail writes: an entry with one of them is read as a captured record. */
const CAPTURED_FIELDS = ['eventVersion', 'eventID', 'awsRegion'] as const;

/** One record as CloudTrail writes it (its fields, as captured). */
export type CloudTrailRecord = Record<string, unknown> & { eventTime: string; eventSource: string; eventName: string; awsRegion: string; eventID: string; userIdentity: Record<string, unknown> };

/** A scenario's CloudTrail record, and when LookupEvents starts to show it. */
export interface TrailEntry {
  readonly record: CloudTrailRecord;
  /** A workflow state: the record is delivered late (docs/drill.md). */
  readonly visibleAfter?: string;
}

/** One `cloudTrail` entry of a scenario: checked here, read by {@link toTrailEntry}. */
export const ScenarioTrailEntry = z.record(z.string(), z.unknown()).check((ctx) => {
  const captured = CAPTURED_FIELDS.filter((f) => f in ctx.value);
  const shape = captured.length > 0 ? CapturedRecord : FlatEntry;
  const parsed = shape.safeParse(ctx.value);
  if (parsed.success) return;
  const as = captured.length > 0
    ? `read as a CloudTrail record (it has ${captured.join(', ')})`
    : `read as the flat shortcut (no ${CAPTURED_FIELDS.join(', ')}: not a CloudTrail record)`;
  for (const issue of parsed.error.issues) {
    ctx.issues.push({ code: 'custom', input: ctx.value, path: issue.path, message: `${as}: ${issue.message}` });
  }
});

/** S3 object-level calls and Lambda Invoke: data events, which LookupEvents never returns. */
const DATA_EVENTS: Record<string, RegExp> = {
  's3.amazonaws.com': /^(Get|Put|Copy|Delete|Head|Restore|Select)Object|^DeleteObjects$|^(Create|Complete|Abort|List)MultipartUpload|^UploadPart|^ListParts$/,
  'lambda.amazonaws.com': /^Invoke$/,
};

/** A call that only reads (Get*, List*, Describe*...), as CloudTrail's readOnly says. */
const READ_ONLY = /^(Get|List|Describe|Head|Lookup|Search|BatchGet|Select|Scan|Query)(?:[A-Z]|$)/;

/**
 * The record a scenario entry stands for. A captured record is served as it is (the drill's own
 * `visibleAfter` taken off); a flat entry becomes, once, the record CloudTrail would have written:
 * an IAMUser identity of its `userName` and `accessKeyId` unless it gives its own, `readOnly` from
 * the operation's verb unless given, S3 object calls and Lambda Invoke as data events.
 */
export function toTrailEntry(entry: Record<string, unknown>, index: number, accountId: string): TrailEntry {
  const { visibleAfter, ...rest } = entry;
  const after = typeof visibleAfter === 'string' ? { visibleAfter } : {};
  if (CAPTURED_FIELDS.some((f) => f in entry)) return { record: rest as CloudTrailRecord, ...after };
  const e = FlatEntry.parse(entry);
  return { record: flatRecord(e, index, accountId), ...after };
}

function flatRecord(e: FlatEntry, index: number, accountId: string): CloudTrailRecord {
  const identity = e.userIdentity ?? {
    type: 'IAMUser',
    ...(e.userName ? { arn: `arn:aws:iam::${accountId}:user/${e.userName}` } : {}),
    accountId,
    ...(e.accessKeyId ? { accessKeyId: e.accessKeyId } : {}),
    ...(e.userName ? { userName: e.userName } : {}),
  };
  // The flat `accessKeyId` is the key that signed the call: the identity's, when it names none.
  const userIdentity = e.accessKeyId && identity.accessKeyId === undefined ? { ...identity, accessKeyId: e.accessKeyId } : identity;
  const data = DATA_EVENTS[e.eventSource]?.test(e.eventName) ?? false;
  const management = e.managementEvent ?? !data;
  return {
    eventVersion: '1.09',
    userIdentity,
    eventTime: e.eventTime,
    eventSource: e.eventSource,
    eventName: e.eventName,
    awsRegion: e.region ?? 'us-east-1',
    ...(e.sourceIPAddress !== undefined ? { sourceIPAddress: e.sourceIPAddress } : {}),
    ...(e.userAgent !== undefined ? { userAgent: e.userAgent } : {}),
    ...(e.errorCode !== undefined ? { errorCode: e.errorCode } : {}),
    ...(e.errorMessage !== undefined ? { errorMessage: e.errorMessage } : {}),
    requestParameters: e.requestParameters ?? null,
    responseElements: e.responseElements ?? null,
    eventID: e.eventId ?? `sim-event-${index}`,
    readOnly: e.readOnly ?? READ_ONLY.test(e.eventName),
    ...(e.resources ? { resources: e.resources } : {}),
    eventType: 'AwsApiCall',
    managementEvent: management,
    recipientAccountId: accountId,
    eventCategory: management ? 'Management' : 'Data',
  };
}

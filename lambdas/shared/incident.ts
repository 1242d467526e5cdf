import { createHash } from 'node:crypto';
import * as z from 'zod/mini';

/** Where the exposure was reported. */
export const INCIDENT_SOURCES = ['health', 'trusted-advisor', 'quarantine-policy', 'manual', 'guardduty'] as const;
export type IncidentSource = (typeof INCIDENT_SOURCES)[number];

/**
 * IAM's own pattern for an access key id (`[\w]+`, 16 to 128 characters). Deliberately not a
 * stricter `AKIA...` shape: AWS test events carry placeholders, and a real id is checked by IAM
 * itself (UpdateAccessKey with the wrong user answers NoSuchEntity).
 */
export const ACCESS_KEY_ID = z.string().check(z.regex(/^\w{16,128}$/, 'not an IAM access key id'));
/** An AWS account id: 12 digits, nothing else. */
export const ACCOUNT_ID_PATTERN = /^\d{12}$/;
export const ACCOUNT_ID = z.string().check(z.regex(ACCOUNT_ID_PATTERN));
/** IAM's pattern for a user name. */
export const USER_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
export const USER_NAME = z.string().check(z.regex(USER_NAME_PATTERN, 'not an IAM user name'));

/**
 * Upper bounds of the free text an incident carries: every string taken from an event is cut to
 * these before it enters the workflow state (Step Functions' 256 KB limit) or a message.
 */
export const TEXT_LIMITS = { detail: 1000, leakLocation: 1024, awsCaseId: 256, reporterNote: 500 } as const;

/** One exposed key: the unit the workflow contains. One incident, one execution. */
export const IncidentSchema = z.object({
  /** Deterministic: the same key reported twice on the same day is the same incident. */
  incidentId: z.string().check(z.regex(/^[0-9A-Za-z_-]{1,80}$/)),
  source: z.enum(INCIDENT_SOURCES),
  accountId: ACCOUNT_ID,
  accessKeyId: ACCESS_KEY_ID,
  /** The key's owner; `root` for the account's root user. */
  userName: z.string().check(z.minLength(1)),
  principalType: z.enum(['user', 'root']),
  /** The user is on the protected list: nothing is changed, people are told to act by hand. */
  protectedPrincipal: z.boolean(),
  /** When AWS reported the exposure (ISO 8601). */
  detectedAt: z.string(),
  /** When the dispatcher started the response (ISO 8601). */
  dispatchedAt: z.string(),
  /** The AWS detection that reported it: Health event type, Trusted Advisor check, CloudTrail event. */
  detail: z.string().check(z.maxLength(TEXT_LIMITS.detail)),
  /** The support case AWS already opened (Trusted Advisor's Case ID). */
  awsCaseId: z.optional(z.string().check(z.maxLength(TEXT_LIMITS.awsCaseId))),
  /** Where the key leaked, when AWS says. */
  leakLocation: z.optional(z.string().check(z.maxLength(TEXT_LIMITS.leakLocation))),
  /**
   * The user the event named when IAM says the key belongs to someone else (`userName`). That
   * user is never acted on; every message says the report named it and that it was not changed.
   */
  reportedUserName: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
  /**
   * The account a report by hand named when the key is of another account (`accountId`: what STS
   * says, or where IAM found the owner). Nothing is done in it; every message says so.
   */
  reportedAccountId: z.optional(ACCOUNT_ID),
  /**
   * What IAM answered GetAccessKeyLastUsed (AccessDenied, NoSuchEntity) when the owner was
   * confirmed by ListAccessKeys instead (it lists the key under the user the event named). The
   * record lists it as the dispatcher's failure.
   */
  ownerLookupError: z.optional(z.string().check(z.regex(/^\w{1,64}$/))),
  /** A manual report's free text: the reporter's words, shown quoted, never mixed into `detail`. */
  reporterNote: z.optional(z.string().check(z.maxLength(TEXT_LIMITS.reporterNote))),
});
export type Incident = z.infer<typeof IncidentSchema>;

const ROOT_NAMES = new Set(['root', '<root>', '<root_account>']);

/** Trusted Advisor says `root`/`<root>`, the credential report `<root_account>`: all mean the root user. */
export function isRootUserName(userName: string): boolean {
  return ROOT_NAMES.has(userName.trim().toLowerCase());
}

/**
 * The execution name, also the incident id: at most 80 characters of `0-9A-Za-z-_`, the same for
 * every report of one key on one UTC day, so Health, Trusted Advisor and CloudTrail reports and
 * redeliveries start one execution. A report on a later day starts a new one; every step is
 * idempotent, so that run finds the key already contained and says so.
 */
export function incidentIdFor(accessKeyId: string, at: Date): string {
  const day = at.toISOString().slice(0, 10).replace(/-/g, '');
  const id = `${accessKeyId}-${day}`;
  if (id.length <= 80) return id;
  // Longer than any real key (20 characters) but allowed by IAM's pattern: keep the day, and a
  // digest of the whole key so two long keys with the same prefix stay two incidents.
  const digest = createHash('sha256').update(accessKeyId).digest('hex').slice(0, 16);
  return `${accessKeyId.slice(0, 80 - digest.length - day.length - 2)}-${digest}-${day}`;
}

// What CloudTrail ties to the leaked key: the footholds findFootholds returns (with the record that
// proves each), the sessions derived from the key, and what the second look found after
// containment. Light on purpose (zod/mini only).
import * as z from 'zod/mini';

/**
 * At most this many footholds are listed: they travel in the workflow state (256 KB in all).
 * Containable kinds are listed before report-only ones; a bound that bites is said in `truncated`,
 * and the summary then counts the rest as still open.
 */
export const MAX_FOOTHOLDS = 300;

/** Sessions listed (every one is followed); a bound that bites is said in `truncated`. */
export const MAX_SESSIONS = 100;

/** Characters of a value copied from a record (a policy document, a rule set). */
export const MAX_VALUE_CHARS = 1_000;

/** The CloudTrail record that ties a foothold to the leaked key: what a reader checks. */
export const ProofSchema = z.object({
  eventId: z.string(),
  eventTime: z.string(),
  eventName: z.string(),
  region: z.string(),
  sourceIp: z.optional(z.string()),
  /** The key that signed the call: the leaked key, or a session (ASIA...) derived from it. */
  callerKeyId: z.string(),
});
export type Proof = z.infer<typeof ProofSchema>;

const Tags = z.optional(z.record(z.string(), z.string()));

export const RESOURCE_TYPES = ['lambda-function', 'key-pair', 'security-group-ingress', 'bucket-policy', 'ses-identity'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

export const FootholdSchema = z.discriminatedUnion('kind', [
  /** CreateAccessKey on any user. `accessKeyId` absent when the record does not say (never guessed). */
  z.object({ kind: z.literal('access-key'), userName: z.string(), accessKeyId: z.optional(z.string()), proof: ProofSchema }),
  z.object({ kind: z.literal('user'), userName: z.string(), path: z.optional(z.string()), tags: Tags, proof: ProofSchema }),
  /** CreateLoginProfile / UpdateLoginProfile on any user: an attacker's password is never legitimate. */
  z.object({ kind: z.literal('login-profile'), userName: z.string(), proof: ProofSchema }),
  /** AssumeRole of a role of this account. */
  z.object({
    kind: z.literal('assumed-role'),
    roleArn: z.string(),
    roleName: z.string(),
    path: z.string(),
    sessionName: z.optional(z.string()),
    /** The session's ASIA key id, when the record returned it. */
    sessionKeyId: z.optional(z.string()),
    proof: ProofSchema,
  }),
  /** AssumeRole of another account's role: nothing can be done from here. */
  z.object({ kind: z.literal('external-role'), roleArn: z.string(), accountId: z.string(), sessionName: z.optional(z.string()), proof: ProofSchema }),
  z.object({
    kind: z.literal('created-role'),
    roleName: z.string(),
    roleArn: z.optional(z.string()),
    path: z.optional(z.string()),
    tags: Tags,
    /** The principals its trust policy names, as CreateRole's record has it; absent when the record does not show it. */
    trustedPrincipals: z.optional(z.array(z.string())),
    proof: ProofSchema,
  }),
  /** Trust or permission changes to existing principals and policies: reported, never reverted. */
  z.object({
    kind: z.literal('permission-change'),
    targetType: z.enum(['role', 'user', 'group', 'policy']),
    /** A role, user or group name, or a policy ARN. */
    target: z.string(),
    /** The request's values (policy ARN, document, version...), each clipped to {@link MAX_VALUE_CHARS}. */
    values: z.record(z.string(), z.string()),
    /** CreatePolicyVersion's new version id, when the record returned it. */
    versionId: z.optional(z.string()),
    proof: ProofSchema,
  }),
  /** CreateServiceSpecificCredential (Bedrock API keys, CodeCommit...). */
  z.object({
    kind: z.literal('service-credential'),
    userName: z.string(),
    serviceName: z.string(),
    credentialId: z.optional(z.string()),
    proof: ProofSchema,
  }),
  z.object({
    kind: z.literal('instance'),
    region: z.string(),
    instanceId: z.string(),
    instanceType: z.optional(z.string()),
    launchTime: z.optional(z.string()),
    via: z.enum(['RunInstances', 'StartInstances']),
    proof: ProofSchema,
  }),
  /** Reported with the command that undoes it. */
  z.object({
    kind: z.literal('resource'),
    type: z.enum(RESOURCE_TYPES),
    region: z.string(),
    /** Function name, key pair name, security group id, bucket name, SES identity. */
    name: z.string(),
    /** What the record says (rule ids, the identity's API...): used by the undo command. */
    values: z.record(z.string(), z.string()),
    proof: ProofSchema,
  }),
]);
export type Foothold = z.infer<typeof FootholdSchema>;
export type FootholdKind = Foothold['kind'];

/** A session derived from the leaked key, whose calls are followed too. */
export const DerivedSessionSchema = z.object({
  accessKeyId: z.string(),
  via: z.enum(['GetSessionToken', 'GetFederationToken', 'AssumeRole']),
  /** The role (AssumeRole) or federated user (GetFederationToken) it acts as. */
  as: z.optional(z.string()),
  proof: ProofSchema,
});
export type DerivedSession = z.infer<typeof DerivedSessionSchema>;

export const FootholdsSchema = z.object({
  footholds: z.array(FootholdSchema),
  sessions: z.array(DerivedSessionSchema),
  records: z.object({
    /** Records given. */
    read: z.number(),
    /** Records that could not be read (not a CloudTrail record, or missing eventID/eventName...): counted, never guessed at. */
    unreadable: z.number(),
    /** Records signed by the leaked key or one of its sessions. */
    tied: z.number(),
  }),
  /** Bounds that bit: what was left out. */
  truncated: z.array(z.string()),
  /** What CloudTrail did not say (a session whose key id the record lacks): followed no further. */
  gaps: z.array(z.string()),
  /**
   * s3://bucket/key of the whole list (`footholds.json`, next to `activity.jsonl`), when the
   * investigation saved it: what the workflow state carries may be shortened (see `truncated`).
   */
  object: z.optional(z.string()),
});
export type Footholds = z.infer<typeof FootholdsSchema>;

/** A call made after containment by the leaked key or something it created or assumed (the second look). */
export const UseAfterContainmentSchema = z.object({
  eventId: z.string(),
  eventTime: z.string(),
  eventSource: z.string(),
  eventName: z.string(),
  region: z.string(),
  sourceIp: z.optional(z.string()),
  /** Who acted: "the leaked key AKIA...", "access key X it created for user Y", "user Y it created"... */
  by: z.string(),
  /** Set when the call failed (AccessDenied...): an attempt that containment stopped. */
  errorCode: z.optional(z.string()),
});

/** What the second look found: did containment hold? Each list bounded, the counts whole. */
export const AfterContainmentSchema = z.object({
  /** True when nothing the key made or assumed succeeded after containment. */
  held: z.boolean(),
  /** Calls that succeeded after containment: each an ACTION REQUIRED line. */
  used: z.array(UseAfterContainmentSchema),
  usedCount: z.number(),
  /** Calls that failed after containment: attempts it stopped. */
  denied: z.array(UseAfterContainmentSchema),
  deniedCount: z.number(),
  unreadable: z.number(),
});

/**
 * The investigation's second look (optional input of the investigate step): CloudTrail again since
 * the first pass, by what the first pass found.
 */
export const SecondLookInputSchema = z.object({
  /** Where the first pass stopped (its `lookback.to`): the second look reads from here. */
  since: z.iso.datetime({ offset: true }),
  /** When containment was in place (e.g. the verification's `checkedAt`): a later call means it did not hold. */
  containedAt: z.iso.datetime({ offset: true }),
  /** The first pass's footholds (its sessions, the keys and users the key created are looked up too). */
  first: FootholdsSchema,
});
export type SecondLookInput = z.infer<typeof SecondLookInputSchema>;

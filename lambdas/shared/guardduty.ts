// GuardDuty findings about an IAM access key, as the dispatcher reads them (opt-in: the stack has
// a rule for them only with guardDutyMinSeverity). A finding is a hint like any other report: IAM
// decides who owns a long-term key; temporary credentials (ASIA...) are never a user's key.
import * as z from 'zod/mini';
import { bounded, classifyKey, Detection, UnusableKey, userHint } from './detection';
import { ACCOUNT_ID, TEXT_LIMITS } from './incident';

export const GUARDDUTY_SOURCE = 'aws.guardduty';
export const GUARDDUTY_DETAIL_TYPE = 'GuardDuty Finding';

/**
 * The finding types that say an access key is being used by someone else, matched by prefix (the
 * rule's pattern and the parser use the same list): UnauthorizedAccess:IAMUser/* (malicious or Tor
 * callers, instance credentials used elsewhere, console logins), CredentialAccess:IAMUser/* and
 * Impact:IAMUser/* (anomalous behaviour), AttackSequence:IAM/* (compromised credentials).
 */
export const GUARDDUTY_KEY_FINDING_PREFIXES = ['UnauthorizedAccess:IAMUser/', 'CredentialAccess:IAMUser/', 'Impact:IAMUser/', 'AttackSequence:IAM/'] as const;

/** Optional fields: absent and `null` both mean absent. */
const opt = <T extends z.ZodMiniType>(t: T) => z.optional(z.nullable(t));

/** IAM's grammar of a role name (the finding names the role of an assumed-role session). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const GuardDutyEvent = z.object({
  version: opt(z.string()),
  id: opt(z.string()),
  source: z.literal(GUARDDUTY_SOURCE),
  'detail-type': z.literal(GUARDDUTY_DETAIL_TYPE),
  account: ACCOUNT_ID,
  time: z.string().check(z.maxLength(64)),
  region: opt(z.string()),
  resources: opt(z.array(z.unknown())),
  detail: z.looseObject({
    id: z.string(),
    arn: opt(z.string()),
    type: z.string().check(z.maxLength(200)),
    severity: z.number(),
    title: opt(z.string()),
    resource: z.looseObject({
      resourceType: z.literal('AccessKey'),
      accessKeyDetails: z.looseObject({
        accessKeyId: opt(z.unknown()),
        principalId: opt(z.unknown()),
        userName: opt(z.unknown()),
        userType: opt(z.string()),
      }),
    }),
    service: opt(z.looseObject({ additionalInfo: opt(z.looseObject({ sample: opt(z.unknown()) })) })),
  }),
});
export type GuardDutyFinding = z.infer<typeof GuardDutyEvent>;

export function isKeyFindingType(type: string): boolean {
  return GUARDDUTY_KEY_FINDING_PREFIXES.some((p) => type.startsWith(p));
}

/**
 * What a finding says: a long-term key (AKIA...) is a key to contain on its owner, as IAM names
 * it (the finding's user name is a hint); temporary credentials (ASIA...) and the role of an
 * assumed-role session are never taken for a user's key (the role's sessions are revoked instead). A type that is not an
 * access key finding throws (the rule should not have let it through).
 */
export function fromGuardDuty(e: GuardDutyFinding, reject: (why: string) => never): Detection {
  const d = e.detail;
  if (!isKeyFindingType(d.type)) reject(`GuardDuty finding type ${bounded(d.type, 200)} is not one of the access key findings (${GUARDDUTY_KEY_FINDING_PREFIXES.join('*, ')}*)`);
  const k = d.resource.accessKeyDetails;
  const keys = new Set<string>();
  const unusable: UnusableKey[] = [];
  if (k.accessKeyId !== undefined && k.accessKeyId !== null) classifyKey(k.accessKeyId, keys, unusable);
  const ignored: string[] = [];
  const roles: string[] = [];
  let userName: string | undefined;
  if (k.userType === 'AssumedRole') {
    // The session's role: the dispatcher revokes its sessions (lambdas/dispatcher/role-sessions.ts) unless it is protected or service-linked.
    if (typeof k.userName === 'string' && ROLE_NAME.test(k.userName)) roles.push(`arn:aws:iam::${e.account}:role/${k.userName}`);
    else if (k.userName !== undefined && k.userName !== null) ignored.push(`role name ${JSON.stringify(bounded(String(k.userName), 80))} is not an IAM role name: not used`);
  } else {
    userName = userHint(k.userName, ignored);
  }
  const title = typeof d.title === 'string' ? `: ${d.title}` : '';
  return {
    source: 'guardduty',
    accountId: e.account,
    detectedAt: e.time,
    eventCode: bounded(d.type, 200),
    accessKeyIds: [...keys],
    unusableKeys: unusable,
    ...(userName ? { userName } : {}),
    ignored,
    roles,
    kind: keys.size > 0 ? 'keys' : 'nothing',
    detail: bounded(`GuardDuty ${d.type} (severity ${d.severity})${title}`, TEXT_LIMITS.detail),
    ...(typeof d.arn === 'string' ? { eventArn: bounded(d.arn, 300) } : {}),
    ...(d.service?.additionalInfo?.sample === true ? { sample: true } : {}),
  };
}

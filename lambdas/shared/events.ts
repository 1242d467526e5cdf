import * as z from 'zod/mini';
import { InvalidIncidentError } from './errors';
import { bounded, classifyKey, Detection, text, UnusableKey, userHint } from './detection';
import { ACCESS_KEY_ID, ACCOUNT_ID, ACCOUNT_ID_PATTERN, isRootUserName, TEXT_LIMITS, USER_NAME, USER_NAME_PATTERN } from './incident';
import { fromGuardDuty, GUARDDUTY_SOURCE, GuardDutyEvent, GuardDutyFinding } from './guardduty';

export { bounded };
export type { Detection, UnusableKey };

/** AWS-managed quarantine policies: V1 had no suffix, V2, V3, V4 exist, more will come. Match the prefix. */
export const AWS_QUARANTINE_POLICY_ARN_PREFIX = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine';
/** The same prefix in any partition (aws, aws-us-gov, aws-cn...). */
const AWS_QUARANTINE_POLICY_ARN = /^arn:aws[\w-]*:iam::aws:policy\/AWSCompromisedKeyQuarantine/;
/** The older mechanism: an inline user policy of this name (PutUserPolicy). */
export const LEGACY_QUARANTINE_INLINE_POLICY = 'AWSExposedCredentialPolicy_DO_NOT_REMOVE';
/** Health RISK event type codes that mean a key is exposed or compromised. */
export const HEALTH_RISK_EVENT_CODES = [
  'AWS_RISK_CREDENTIALS_EXPOSED',
  'AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED',
  'AWS_RISK_CREDENTIALS_COMPROMISED',
  'AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED',
  'AWS_RISK_IAM_QUARANTINE',
] as const;
export const TRUSTED_ADVISOR_EXPOSED_KEYS_CHECK = 'Exposed Access Keys';
/** Source and detail-type of a report sent by hand: `aws events put-events`. */
export const MANUAL_EVENT_SOURCE = 'exposed-key-responder';
export const MANUAL_EVENT_DETAIL_TYPE = 'Exposed Access Key Reported';

export function isAwsQuarantinePolicyArn(arn: string): boolean {
  return AWS_QUARANTINE_POLICY_ARN.test(arn);
}

/** Optional fields: AWS sends `null` for some of them (Trusted Advisor, the envelope); both mean absent. */
const opt = <T extends z.ZodMiniType>(t: T) => z.optional(z.nullable(t));

const envelope = {
  version: opt(z.string()),
  id: opt(z.string()),
  account: ACCOUNT_ID,
  time: z.string().check(z.maxLength(64)),
  region: opt(z.string()),
  resources: opt(z.array(z.unknown())),
};

/** Affected entities of one Health event read at most (each may cost an IAM call). */
export const MAX_ENTITIES = 100;
const PRINCIPAL_ARN = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):(user|role|assumed-role)\/(?:[^/]*\/)*([^/]+)$/;

const HealthEvent = z.object({
  ...envelope,
  source: z.literal('aws.health'),
  'detail-type': z.literal('AWS Health Event'),
  detail: z.looseObject({
    service: z.literal('RISK'),
    eventTypeCode: z.enum(HEALTH_RISK_EVENT_CODES),
    eventArn: opt(z.string()),
    affectedEntities: opt(z.array(z.nullable(z.looseObject({ entityValue: opt(z.unknown()) })))),
    eventMetadata: opt(z.looseObject({ publicKey: opt(z.unknown()), userName: opt(z.unknown()), exposedUrl: opt(z.unknown()) })),
  }),
});

const TrustedAdvisorEvent = z.object({
  ...envelope,
  source: z.literal('aws.trustedadvisor'),
  'detail-type': z.literal('Trusted Advisor Check Item Refresh Notification'),
  detail: z.looseObject({
    'check-name': z.literal(TRUSTED_ADVISOR_EXPOSED_KEYS_CHECK),
    status: z.literal('ERROR'),
    'check-item-detail': z.looseObject({
      'Access Key ID': z.string(),
      'User Name (IAM or Root)': opt(z.unknown()),
      'Case ID': opt(z.unknown()),
      Location: opt(z.unknown()),
      'Time Updated': opt(z.unknown()),
      'Fraud Type': opt(z.unknown()),
    }),
  }),
});

const CloudTrailQuarantineEvent = z.object({
  ...envelope,
  source: z.literal('aws.iam'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: z.looseObject({
    eventSource: z.literal('iam.amazonaws.com'),
    eventName: z.enum(['AttachUserPolicy', 'PutUserPolicy']),
    eventTime: z.string().check(z.maxLength(64)),
    errorCode: opt(z.undefined()),
    requestParameters: z.looseObject({
      userName: z.string(),
      policyArn: opt(z.string()),
      policyName: opt(z.string()),
    }),
  }),
});

const ManualEvent = z.object({
  ...envelope,
  source: z.literal(MANUAL_EVENT_SOURCE),
  'detail-type': z.literal(MANUAL_EVENT_DETAIL_TYPE),
  detail: z.object({
    accessKeyId: ACCESS_KEY_ID,
    userName: z.optional(USER_NAME),
    reason: z.optional(z.string().check(z.maxLength(TEXT_LIMITS.reporterNote))),
    /** The account the reporter says the key is of: a hint (the dispatcher asks STS). */
    accountId: z.optional(ACCOUNT_ID),
  }),
});

function epochMsToIso(value: unknown): string | undefined {
  if (typeof value !== 'string' || !/^\d{10,14}$/.test(value)) return undefined;
  return new Date(Number(value)).toISOString();
}

function fromHealth(e: z.infer<typeof HealthEvent>): Detection {
  const d = e.detail;
  const keys = new Set<string>();
  const unusable: UnusableKey[] = [];
  const ignored: string[] = [];
  const roles: string[] = [];
  let userName = userHint(d.eventMetadata?.userName, ignored);
  if (d.eventMetadata?.publicKey !== undefined && d.eventMetadata.publicKey !== null) classifyKey(d.eventMetadata.publicKey, keys, unusable);
  const entities = d.affectedEntities ?? [];
  for (const entity of entities.slice(0, MAX_ENTITIES)) {
    const value = entity?.entityValue;
    if (value === undefined || value === null || value === '') continue;
    const arn = typeof value === 'string' ? PRINCIPAL_ARN.exec(value) : null;
    if (arn && arn[1] !== e.account) {
      ignored.push(`${arn[2]} ${bounded(arn[0], 200)} belongs to account ${arn[1]}: not acted on here`);
    } else if (arn && arn[2] === 'user') {
      userName ??= userHint(arn[3], ignored);
    } else if (arn) {
      roles.push(bounded(arn[0], 200));
    } else if (d.eventTypeCode === 'AWS_RISK_IAM_QUARANTINE' && typeof value === 'string' && ACCOUNT_ID_PATTERN.test(value)) {
      // The quarantine event names the account itself.
    } else {
      classifyKey(value, keys, unusable);
    }
  }
  const quarantine = d.eventTypeCode === 'AWS_RISK_IAM_QUARANTINE';
  const kind = keys.size > 0 ? 'keys' : quarantine && userName && !isRootUserName(userName) ? 'quarantined-user' : quarantine && unusable.length === 0 && roles.length === 0 ? 'account-quarantine' : 'nothing';
  const eventArn = text(d.eventArn, 300);
  return {
    source: 'health',
    accountId: e.account,
    detectedAt: e.time,
    eventCode: d.eventTypeCode,
    accessKeyIds: [...keys],
    unusableKeys: unusable,
    userName,
    ignored,
    roles,
    kind,
    detail: bounded(`AWS Health ${d.eventTypeCode}${eventArn ? ` (${eventArn})` : ''}`, TEXT_LIMITS.detail),
    eventArn,
    ...(entities.length > MAX_ENTITIES ? { entitiesNotRead: entities.length - MAX_ENTITIES } : {}),
    leakLocation: text(d.eventMetadata?.exposedUrl, TEXT_LIMITS.leakLocation),
  };
}

function fromTrustedAdvisor(e: z.infer<typeof TrustedAdvisorEvent>): Detection {
  const item = e.detail['check-item-detail'];
  const keys = new Set<string>();
  const unusable: UnusableKey[] = [];
  const ignored: string[] = [];
  classifyKey(item['Access Key ID'], keys, unusable);
  const fraudType = text(item['Fraud Type'], 100);
  return {
    source: 'trusted-advisor',
    accountId: e.account,
    detectedAt: epochMsToIso(item['Time Updated']) ?? e.time,
    eventCode: TRUSTED_ADVISOR_EXPOSED_KEYS_CHECK,
    accessKeyIds: [...keys],
    unusableKeys: unusable,
    userName: userHint(item['User Name (IAM or Root)'], ignored),
    ignored,
    roles: [],
    kind: keys.size > 0 ? 'keys' : 'nothing',
    detail: `Trusted Advisor "${TRUSTED_ADVISOR_EXPOSED_KEYS_CHECK}" (fraud type: ${fraudType ?? 'unknown'})`,
    awsCaseId: text(item['Case ID'], TEXT_LIMITS.awsCaseId),
    leakLocation: text(item.Location, TEXT_LIMITS.leakLocation),
  };
}

function fromCloudTrail(e: z.infer<typeof CloudTrailQuarantineEvent>): Detection {
  const d = e.detail;
  const p = d.requestParameters;
  const isQuarantine =
    d.eventName === 'AttachUserPolicy'
      ? typeof p.policyArn === 'string' && isAwsQuarantinePolicyArn(p.policyArn)
      : p.policyName === LEGACY_QUARANTINE_INLINE_POLICY;
  if (!isQuarantine) {
    throw new InvalidIncidentError(`CloudTrail ${d.eventName} does not put an AWS quarantine policy on the user`);
  }
  const ignored: string[] = [];
  const userName = USER_NAME_PATTERN.test(p.userName) ? p.userName : undefined;
  if (!userName) ignored.push(`user name ${JSON.stringify(bounded(p.userName, 80))} is not an IAM user name: not used`);
  return {
    source: 'quarantine-policy',
    accountId: e.account,
    detectedAt: bounded(d.eventTime, 64),
    eventCode: d.eventName,
    accessKeyIds: [],
    unusableKeys: [],
    userName,
    ignored,
    roles: [],
    kind: userName ? 'quarantined-user' : 'nothing',
    detail: bounded(`CloudTrail ${d.eventName} ${p.policyArn ?? p.policyName} on user ${userName ?? '(not an IAM user name)'}`, TEXT_LIMITS.detail),
  };
}

function fromManual(e: z.infer<typeof ManualEvent>): Detection {
  const keys = new Set<string>();
  const unusable: UnusableKey[] = [];
  classifyKey(e.detail.accessKeyId, keys, unusable);
  const note = text(e.detail.reason, TEXT_LIMITS.reporterNote);
  return {
    source: 'manual',
    accountId: e.account,
    detectedAt: e.time,
    eventCode: MANUAL_EVENT_DETAIL_TYPE,
    accessKeyIds: [...keys],
    unusableKeys: unusable,
    userName: e.detail.userName,
    ignored: [],
    roles: [],
    kind: keys.size > 0 ? 'keys' : 'nothing',
    detail: 'Reported by hand',
    ...(note ? { reporterNote: note } : {}),
    ...(e.detail.accountId ? { reportedAccountId: e.detail.accountId } : {}),
  };
}

const PARSERS = [
  { source: 'aws.health', schema: HealthEvent, convert: fromHealth },
  { source: 'aws.trustedadvisor', schema: TrustedAdvisorEvent, convert: fromTrustedAdvisor },
  { source: 'aws.iam', schema: CloudTrailQuarantineEvent, convert: fromCloudTrail },
  { source: MANUAL_EVENT_SOURCE, schema: ManualEvent, convert: fromManual },
  { source: GUARDDUTY_SOURCE, schema: GuardDutyEvent, convert: (e: GuardDutyFinding) => fromGuardDuty(e, (why) => { throw new InvalidIncidentError(why); }) },
] as const;

/**
 * Parses an EventBridge event into a {@link Detection}. An event of a known source with a shape
 * that does not fit, or an unknown source, throws {@link InvalidIncidentError} naming what is
 * wrong (bounded); nothing is guessed. Values that fit the shape but name nothing this account
 * can own (an ASIA key, a role) are kept in the detection for the message to people.
 */
export function parseDetection(event: unknown): Detection {
  const head = z.looseObject({ source: z.string(), 'detail-type': z.string() }).safeParse(event);
  if (!head.success) {
    throw new InvalidIncidentError('not an EventBridge event: source and detail-type are required');
  }
  const source = bounded(head.data.source, 100);
  for (const { source: parserSource, schema, convert } of PARSERS) {
    if (parserSource !== head.data.source) continue;
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
      throw new InvalidIncidentError(bounded(`${source} event "${head.data['detail-type']}" is not an exposed-key report: ${issues}`, 1000));
    }
    return (convert as (e: unknown) => Detection)(parsed.data);
  }
  throw new InvalidIncidentError(`unknown event source "${source}"`);
}

import * as z from 'zod/mini';
import { InvalidIncidentError } from './errors';
import { ACCESS_KEY_ID, IncidentSource, USER_NAME } from './incident';

/** AWS-managed quarantine policies: V1 had no suffix, V2, V3, V4 exist, more will come. Match the prefix. */
export const AWS_QUARANTINE_POLICY_ARN_PREFIX = 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine';
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
  return arn.startsWith(AWS_QUARANTINE_POLICY_ARN_PREFIX);
}

/**
 * What one AWS event says: the keys it names (possibly none), the user it names (possibly none)
 * and the context. The dispatcher turns it into one incident per key.
 */
export interface Detection {
  readonly source: IncidentSource;
  readonly accountId: string;
  readonly detectedAt: string;
  readonly accessKeyIds: string[];
  readonly userName?: string;
  readonly detail: string;
  readonly awsCaseId?: string;
  readonly leakLocation?: string;
}

const envelope = {
  version: z.optional(z.string()),
  id: z.optional(z.string()),
  account: z.string().check(z.regex(/^\d{12}$/)),
  time: z.string(),
  region: z.optional(z.string()),
  resources: z.optional(z.array(z.unknown())),
};

const REAL_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{12,124}$/;
const USER_ARN = /^arn:aws[\w-]*:iam::\d{12}:user\/(?:.*\/)?([\w+=,.@-]{1,64})$/;

const HealthEvent = z.object({
  ...envelope,
  source: z.literal('aws.health'),
  'detail-type': z.literal('AWS Health Event'),
  detail: z.looseObject({
    service: z.literal('RISK'),
    eventTypeCode: z.enum(HEALTH_RISK_EVENT_CODES),
    eventArn: z.optional(z.string()),
    affectedEntities: z.optional(z.array(z.looseObject({ entityValue: z.string() }))),
    eventMetadata: z.optional(
      z.looseObject({ publicKey: z.optional(ACCESS_KEY_ID), userName: z.optional(USER_NAME), exposedUrl: z.optional(z.string()) }),
    ),
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
      'Access Key ID': ACCESS_KEY_ID,
      'User Name (IAM or Root)': z.string().check(z.minLength(1)),
      'Case ID': z.optional(z.string()),
      Location: z.optional(z.string()),
      'Time Updated': z.optional(z.string()),
      'Fraud Type': z.optional(z.string()),
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
    eventTime: z.string(),
    errorCode: z.optional(z.undefined()),
    requestParameters: z.looseObject({
      userName: USER_NAME,
      policyArn: z.optional(z.string()),
      policyName: z.optional(z.string()),
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
    reason: z.optional(z.string().check(z.maxLength(500))),
  }),
});

function epochMsToIso(value: string | undefined): string | undefined {
  if (!value || !/^\d{10,14}$/.test(value)) return undefined;
  return new Date(Number(value)).toISOString();
}

function fromHealth(e: z.infer<typeof HealthEvent>): Detection {
  const d = e.detail;
  const keys = new Set<string>();
  let userName = d.eventMetadata?.userName;
  if (d.eventMetadata?.publicKey) keys.add(ACCESS_KEY_ID.parse(d.eventMetadata.publicKey));
  for (const { entityValue } of d.affectedEntities ?? []) {
    const userArn = USER_ARN.exec(entityValue);
    if (userArn) {
      userName ??= userArn[1];
    } else if (d.eventTypeCode !== 'AWS_RISK_IAM_QUARANTINE') {
      // For the CREDENTIALS_* codes the affected entity is the access key id.
      const parsed = ACCESS_KEY_ID.safeParse(entityValue);
      if (!parsed.success) throw new InvalidIncidentError(`Health ${d.eventTypeCode}: affected entity is not an access key id`);
      keys.add(parsed.data);
    } else if (REAL_KEY_ID.test(entityValue)) {
      keys.add(entityValue);
    }
  }
  return {
    source: 'health',
    accountId: e.account,
    detectedAt: e.time,
    accessKeyIds: [...keys],
    userName: userName ? USER_NAME.parse(userName) : undefined,
    detail: `AWS Health ${d.eventTypeCode}${d.eventArn ? ` (${d.eventArn})` : ''}`,
    leakLocation: d.eventMetadata?.exposedUrl,
  };
}

function fromTrustedAdvisor(e: z.infer<typeof TrustedAdvisorEvent>): Detection {
  const item = e.detail['check-item-detail'];
  return {
    source: 'trusted-advisor',
    accountId: e.account,
    detectedAt: epochMsToIso(item['Time Updated']) ?? e.time,
    accessKeyIds: [item['Access Key ID']],
    userName: item['User Name (IAM or Root)'],
    detail: `Trusted Advisor "${TRUSTED_ADVISOR_EXPOSED_KEYS_CHECK}" (fraud type: ${item['Fraud Type'] ?? 'unknown'})`,
    awsCaseId: item['Case ID'] || undefined,
    leakLocation: item.Location || undefined,
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
  return {
    source: 'quarantine-policy',
    accountId: e.account,
    detectedAt: d.eventTime,
    accessKeyIds: [],
    userName: p.userName,
    detail: `CloudTrail ${d.eventName} ${p.policyArn ?? p.policyName} on user ${p.userName}`,
  };
}

function fromManual(e: z.infer<typeof ManualEvent>): Detection {
  return {
    source: 'manual',
    accountId: e.account,
    detectedAt: e.time,
    accessKeyIds: [e.detail.accessKeyId],
    userName: e.detail.userName,
    detail: `Reported by hand${e.detail.reason ? `: ${e.detail.reason}` : ''}`,
  };
}

const PARSERS = [
  { source: 'aws.health', schema: HealthEvent, convert: fromHealth },
  { source: 'aws.trustedadvisor', schema: TrustedAdvisorEvent, convert: fromTrustedAdvisor },
  { source: 'aws.iam', schema: CloudTrailQuarantineEvent, convert: fromCloudTrail },
  { source: MANUAL_EVENT_SOURCE, schema: ManualEvent, convert: fromManual },
] as const;

/**
 * Parses an EventBridge event into a {@link Detection}. An event of a known source with a shape
 * that does not fit, or an unknown source, throws {@link InvalidIncidentError} naming what is
 * wrong; nothing is guessed.
 */
export function parseDetection(event: unknown): Detection {
  const head = z.looseObject({ source: z.string(), 'detail-type': z.string() }).safeParse(event);
  if (!head.success) {
    throw new InvalidIncidentError('not an EventBridge event: source and detail-type are required');
  }
  const source = head.data.source;
  for (const { source: parserSource, schema, convert } of PARSERS) {
    if (parserSource !== source) continue;
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ');
      throw new InvalidIncidentError(`${source} event "${head.data['detail-type']}" is not an exposed-key report: ${issues}`);
    }
    return (convert as (e: unknown) => Detection)(parsed.data);
  }
  throw new InvalidIncidentError(`unknown event source "${source}"`);
}

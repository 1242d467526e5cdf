// Footholds that are only reported (never changed by the responder): trust and permission changes
// to existing principals and policies, and the Lambda functions, key pairs, security-group ingress,
// bucket policies and SES identities the key created or opened.
import { Foothold, Proof, ResourceType } from './contract';
import { get, items, regionOf, request, response, str, text, TrailRecord } from './records';

/**
 * Events whose record proves a reported foothold (besides permission changes), by API name
 * (records.ts reads Lambda's CreateFunction20150331 as CreateFunction).
 */
const RESOURCE_EVENTS = new Set([
  'CreateFunction', 'CreateKeyPair', 'ImportKeyPair', 'AuthorizeSecurityGroupIngress', 'PutBucketPolicy',
  'VerifyEmailIdentity', 'VerifyEmailAddress', 'VerifyDomainIdentity', 'CreateEmailIdentity',
]);

/** Whether a successful call of this name should prove a reported foothold. */
export function isReportedEvent(eventName: string): boolean {
  return RESOURCE_EVENTS.has(eventName) || Object.hasOwn(CHANGE_FIELDS, eventName);
}

/** The reported foothold one successful record proves, if it is one of these. */
export function reportedResource(record: TrailRecord, proof: Proof): Foothold | undefined {
  const p = request(record);
  const re = response(record);
  const make = (type: ResourceType, name: string | undefined, values: Record<string, string | undefined> = {}): Foothold | undefined => {
    if (!name) return undefined;
    const kept: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (v !== undefined) kept[k] = v;
    return { kind: 'resource', type, region: regionOf(record), name, values: kept, proof };
  };
  switch (`${record.eventSource} ${record.eventName}`) {
    case 'ec2.amazonaws.com CreateKeyPair':
    case 'ec2.amazonaws.com ImportKeyPair':
      return make('key-pair', str(p.keyName) ?? str(re.keyName), { keyPairId: str(re.keyPairId) });
    case 'ec2.amazonaws.com AuthorizeSecurityGroupIngress': {
      const ruleIds = items(re, 'securityGroupRuleSet').map((r) => str(r.securityGroupRuleId)).filter((id): id is string => !!id);
      return make('security-group-ingress', str(p.groupId) ?? str(p.groupName), {
        ruleIds: ruleIds.length > 0 ? ruleIds.join(' ') : undefined,
        ipPermissions: text(get(p, 'ipPermissions')),
        byName: str(p.groupId) ? undefined : 'true',
      });
    }
    case 's3.amazonaws.com PutBucketPolicy':
      return make('bucket-policy', str(p.bucketName), { bucketPolicy: text(p.bucketPolicy) });
    case 'ses.amazonaws.com VerifyEmailIdentity':
    case 'ses.amazonaws.com VerifyEmailAddress':
      return make('ses-identity', str(p.emailAddress), { api: 'ses' });
    case 'ses.amazonaws.com VerifyDomainIdentity':
      return make('ses-identity', str(p.domain), { api: 'ses' });
    case 'ses.amazonaws.com CreateEmailIdentity':
      return make('ses-identity', str(p.emailIdentity), { api: 'sesv2' });
    case 'lambda.amazonaws.com CreateFunction':
      return make('lambda-function', str(p.functionName) ?? str(re.functionName), { functionArn: str(re.functionArn) });
  }
  return undefined;
}

/** The request values that say what changed, per event. */
const CHANGE_FIELDS: Record<string, { targetType: 'role' | 'user' | 'group' | 'policy'; target: string; values: string[] }> = {
  UpdateAssumeRolePolicy: { targetType: 'role', target: 'roleName', values: ['policyDocument'] },
  PutRolePolicy: { targetType: 'role', target: 'roleName', values: ['policyName', 'policyDocument'] },
  AttachRolePolicy: { targetType: 'role', target: 'roleName', values: ['policyArn'] },
  PutUserPolicy: { targetType: 'user', target: 'userName', values: ['policyName', 'policyDocument'] },
  AttachUserPolicy: { targetType: 'user', target: 'userName', values: ['policyArn'] },
  TagUser: { targetType: 'user', target: 'userName', values: ['tags'] },
  TagRole: { targetType: 'role', target: 'roleName', values: ['tags'] },
  AddUserToGroup: { targetType: 'user', target: 'userName', values: ['groupName'] },
  PutGroupPolicy: { targetType: 'group', target: 'groupName', values: ['policyName', 'policyDocument'] },
  AttachGroupPolicy: { targetType: 'group', target: 'groupName', values: ['policyArn'] },
  CreatePolicyVersion: { targetType: 'policy', target: 'policyArn', values: ['policyDocument', 'setAsDefault'] },
  SetDefaultPolicyVersion: { targetType: 'policy', target: 'policyArn', values: ['versionId'] },
};

export function permissionChange(record: TrailRecord, proof: Proof): Foothold[] {
  const fields = Object.hasOwn(CHANGE_FIELDS, record.eventName) ? CHANGE_FIELDS[record.eventName] : undefined;
  if (!fields) return [];
  const p = request(record);
  const target = str(p[fields.target]);
  if (!target) return [];
  const values: Record<string, string> = {};
  for (const name of fields.values) {
    const value = text(p[name]);
    if (value !== undefined) values[name] = value;
  }
  const foothold: Foothold = { kind: 'permission-change', targetType: fields.targetType, target, values, proof };
  const versionId = str(get(response(record), 'policyVersion', 'versionId'));
  if (versionId) foothold.versionId = versionId;
  return [foothold];
}

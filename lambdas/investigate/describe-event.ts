// One human line for a notable CloudTrail event, e.g. "RunInstances i-0abc, i-0def in eu-west-1".
import { Activity } from './cloudtrail-search';
import { get, isObject, Json, str } from './text';

/** One human line for a notable event. */
export function describeEvent(event: Activity): string {
  const { eventName: name, region } = event;
  const p = isObject(event.record.requestParameters) ? event.record.requestParameters : {};
  const re = isObject(event.record.responseElements) ? event.record.responseElements : {};
  const error = str(event.record.errorCode);
  const tail = ` in ${region}${error ? ` (failed: ${error})` : ''}`;
  const user = str(p.userName) ?? str(get(event.record, 'userIdentity', 'userName'));
  const what = (...parts: Array<string | undefined>) => parts.filter(Boolean).join(' ');
  switch (name) {
    case 'CreateUser':
      return what(name, str(p.userName)) + tail;
    case 'CreateAccessKey':
      return what(name, str(get(re, 'accessKey', 'accessKeyId')), user && `for user ${str(get(re, 'accessKey', 'userName')) ?? user}`) + tail;
    case 'CreateLoginProfile':
    case 'UpdateLoginProfile':
      return what(name, user && `for user ${user}`, p.passwordResetRequired === false ? '(no reset required)' : undefined) + tail;
    case 'AttachUserPolicy':
    case 'AttachRolePolicy':
    case 'AttachGroupPolicy':
      return what(name, str(p.policyArn), target(p)) + tail;
    case 'PutUserPolicy':
    case 'PutRolePolicy':
    case 'PutGroupPolicy':
      return what(name, str(p.policyName) && `inline policy ${str(p.policyName)}`, target(p, 'on')) + tail;
    case 'CreatePolicy':
      return what(name, str(get(re, 'policy', 'arn')) ?? str(p.policyName)) + tail;
    case 'CreatePolicyVersion':
      return what(name, str(p.policyArn) && `of ${str(p.policyArn)}`, p.setAsDefault === true ? '(set as default)' : undefined) + tail;
    case 'CreateRole':
    case 'UpdateAssumeRolePolicy':
      return what(name, str(p.roleName)) + tail;
    case 'AssumeRole':
      return what(name, str(p.roleArn), str(p.roleSessionName) && `as session ${str(p.roleSessionName)}`) + tail;
    case 'GetSessionToken':
    case 'GetFederationToken':
      return what(name, str(p.name), str(get(re, 'credentials', 'accessKeyId')) && `issued ${str(get(re, 'credentials', 'accessKeyId'))}`) + tail;
    case 'RunInstances': {
      const ids = itemIds(re);
      return what(name, ids.length ? ids.join(', ') : str(p.instanceType)) + tail;
    }
    case 'StartInstances':
      return what(name, itemIds(p).join(', ')) + tail;
    case 'RequestSpotInstances':
      return what(name, p.instanceCount !== undefined ? `x${String(p.instanceCount)}` : undefined) + tail;
    case 'CreateFunction':
    case 'UpdateFunctionCode':
      return what(name, str(p.functionName)) + tail;
    case 'DeleteTrail':
    case 'StopLogging':
    case 'UpdateTrail':
    case 'PutEventSelectors':
      return what(name, str(p.name) ?? str(p.trailName)) + tail;
    case 'DeleteDetector':
      return what(name, str(p.detectorId)) + tail;
    case 'CreateKeyPair':
    case 'ImportKeyPair':
      return what(name, str(p.keyName)) + tail;
    case 'AuthorizeSecurityGroupIngress':
      return what(name, str(p.groupId) ?? str(p.groupName)) + tail;
    case 'CopyObject':
    case 'PutObject':
      return what(name, 'with a customer-provided key (SSE-C, possible ransom)', str(p.bucketName) && `to ${str(p.bucketName)}/${str(p.key) ?? ''}`) + tail;
    default:
      return name + tail;
  }
}

function target(p: Json, preposition = 'to'): string | undefined {
  if (str(p.userName)) return `${preposition} user ${str(p.userName)}`;
  if (str(p.roleName)) return `${preposition} role ${str(p.roleName)}`;
  if (str(p.groupName)) return `${preposition} group ${str(p.groupName)}`;
  return undefined;
}

/** `instancesSet.items[].instanceId` of a request or a response. */
export function itemIds(container: Json): string[] {
  const items = get(container, 'instancesSet', 'items');
  if (!Array.isArray(items)) return [];
  return items.map((i) => (isObject(i) ? str(i.instanceId) : undefined)).filter((id): id is string => !!id);
}

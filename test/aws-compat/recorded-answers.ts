import { RecordedAnswer, WireAnswer, WireRequest } from './gap-proxy';

/** What the scripted incident seeded in moto, which the recorded answers speak about. */
export interface SeededIncident {
  readonly accountId: string;
  readonly userName: string;
  readonly userId: string;
  readonly accessKeyId: string;
  /** The instance the key launched (the attacker's), its region, type, image and launch time. */
  readonly instance: { readonly instanceId: string; readonly region: string; readonly instanceType: string; readonly imageId: string; readonly launchTime: Date };
  /** The support case AWS opened about the key (created in moto: moto implements CreateCase and DescribeCases). */
  readonly awsCaseId: string;
  /** What the key left behind in IAM (created in moto): a user with a key and a console password, and a role session. */
  readonly backdoor: { readonly userName: string; readonly accessKeyId: string; readonly roleName: string; readonly sessionKeyId: string };
}

const IAM_NS = 'https://iam.amazonaws.com/doc/2010-05-08/';
const json = (body: unknown): WireAnswer => ({ status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(body) });
const iamXml = (operation: string, result: string): WireAnswer => ({
  status: 200,
  contentType: 'text/xml',
  body: `<${operation}Response xmlns="${IAM_NS}"><${operation}Result>${result}</${operation}Result><ResponseMetadata><RequestId>recorded</RequestId></ResponseMetadata></${operation}Response>`,
});
/** The query protocol's list `ActionNames.member.1`, `.2`...: the values in order. */
const members = (params: Record<string, string>, name: string): string[] =>
  Object.keys(params).filter((k) => k.startsWith(`${name}.member.`)).sort((a, b) => Number(a.split('.').pop()) - Number(b.split('.').pop())).map((k) => params[k]);
const evaluation = (actions: string[], decide: (action: string) => string) =>
  `<IsTruncated>false</IsTruncated><EvaluationResults>${actions
    .map((a) => `<member><EvalActionName>${a}</EvalActionName><EvalResourceName>*</EvalResourceName><EvalDecision>${decide(a)}</EvalDecision></member>`)
    .join('')}</EvaluationResults>`;

/** A CloudTrail record of a call the leaked key made, in CloudTrail's documented shape (an IAM user signing with its access key). */
function trailRecord(seed: SeededIncident, call: { name: string; source: string; region: string; at: Date; id: string; request: unknown; response: unknown }) {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser', principalId: seed.userId, arn: `arn:aws:iam::${seed.accountId}:user/${seed.userName}`,
      accountId: seed.accountId, accessKeyId: seed.accessKeyId, userName: seed.userName,
    },
    eventTime: call.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: call.source,
    eventName: call.name,
    awsRegion: call.region,
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6',
    requestParameters: call.request,
    responseElements: call.response,
    requestID: `6f3c5e1a-0d4b-4b8e-9d4e-${call.id}`,
    eventID: `0b1c2d3e-4f50-4617-8293-${call.id}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: seed.accountId,
    eventCategory: 'Management',
  };
}

/**
 * What the leaked key did, as CloudTrail records it: in us-east-1 (IAM and STS events are there)
 * it created a user with a key and a console password and assumed a role, a minute before it
 * launched the instance in its region.
 */
export function trailRecords(seed: SeededIncident): Array<ReturnType<typeof trailRecord>> {
  const { instance, backdoor } = seed;
  const before = (seconds: number) => new Date(instance.launchTime.getTime() - seconds * 1000);
  const iam = { source: 'iam.amazonaws.com', region: 'us-east-1' };
  const roleArn = `arn:aws:iam::${seed.accountId}:role/${backdoor.roleName}`;
  return [
    trailRecord(seed, { ...iam, name: 'CreateUser', at: before(60), id: '000000000001', request: { userName: backdoor.userName }, response: { user: { path: '/', userName: backdoor.userName, arn: `arn:aws:iam::${seed.accountId}:user/${backdoor.userName}` } } }),
    trailRecord(seed, { ...iam, name: 'CreateAccessKey', at: before(55), id: '000000000002', request: { userName: backdoor.userName }, response: { accessKey: { userName: backdoor.userName, accessKeyId: backdoor.accessKeyId, status: 'Active' } } }),
    trailRecord(seed, { ...iam, name: 'CreateLoginProfile', at: before(50), id: '000000000003', request: { userName: backdoor.userName, passwordResetRequired: false }, response: { loginProfile: { userName: backdoor.userName, passwordResetRequired: false } } }),
    trailRecord(seed, {
      source: 'sts.amazonaws.com', region: 'us-east-1', name: 'AssumeRole', at: before(40), id: '000000000004',
      request: { roleArn, roleSessionName: 'maintenance' },
      response: { credentials: { accessKeyId: backdoor.sessionKeyId, expiration: 'Dec 1, 2026, 2:00:00 AM', sessionToken: 'redacted' }, assumedRoleUser: { assumedRoleId: 'AROAEXAMPLEROLEID0001:maintenance', arn: `arn:aws:sts::${seed.accountId}:assumed-role/${backdoor.roleName}/maintenance` } },
    }),
    trailRecord(seed, {
      source: 'ec2.amazonaws.com', region: instance.region, name: 'RunInstances', at: instance.launchTime, id: '000000000005',
      request: { instancesSet: { items: [{ imageId: instance.imageId, minCount: 1, maxCount: 1 }] }, instanceType: instance.instanceType, blockDeviceMapping: {}, monitoring: { enabled: false }, disableApiTermination: false },
      response: {
        requestId: '6f3c5e1a-0d4b-4b8e-9d4e-6f1b2c3d4e5f', reservationId: 'r-0123456789abcdef0', ownerId: seed.accountId, groupSet: {},
        instancesSet: { items: [{ instanceId: instance.instanceId, imageId: instance.imageId, instanceState: { code: 0, name: 'pending' }, instanceType: instance.instanceType, launchTime: instance.launchTime.getTime(), placement: { availabilityZone: `${instance.region}a`, tenancy: 'default' } }] },
      },
    }),
  ];
}

/**
 * Recorded answers for what moto 5.2 does not implement (found by trying: moto answers an HTTP 500
 * "not implemented"), keyed `service:Operation`. Each speaks about the seeded incident only.
 */
export function recordedAnswers(seed: SeededIncident): Record<string, RecordedAnswer> {
  const records = trailRecords(seed);
  const communications: Array<{ caseId: string; body: string; submittedBy: string; timeCreated: string }> = [
    {
      caseId: seed.awsCaseId,
      body: `We have become aware that the AWS Access Key ${seed.accessKeyId} for the IAM user ${seed.userName} was publicly available online.`,
      submittedBy: 'Amazon Web Services',
      timeCreated: new Date(seed.instance.launchTime.getTime() - 120_000).toISOString(),
    },
  ];
  return {
    'cloudtrail:LookupEvents': {
      reason: 'moto records no CloudTrail events: what the leaked key did (a user with a key and a password, a role assumed, the instance), as CloudTrail records it, answered by region, time, key and user name',
      answer: (r: WireRequest) => {
        const [attribute] = (r.params.LookupAttributes ?? []) as Array<{ AttributeKey: string; AttributeValue: string }>;
        const events = records
          .map((record) => ({ record, at: Date.parse(record.eventTime) / 1000 }))
          .filter(({ record, at }) => record.awsRegion === r.region
            && (r.params.StartTime === undefined || Number(r.params.StartTime) <= at) && (r.params.EndTime === undefined || at <= Number(r.params.EndTime))
            && (attribute === undefined
              || (attribute.AttributeKey === 'AccessKeyId' && attribute.AttributeValue === record.userIdentity.accessKeyId)
              || (attribute.AttributeKey === 'Username' && attribute.AttributeValue === record.userIdentity.userName)
              || (attribute.AttributeKey === 'EventName' && attribute.AttributeValue === record.eventName)))
          .sort((a, b) => b.at - a.at)
          .map(({ record, at }) => ({
            EventId: record.eventID, EventName: record.eventName, ReadOnly: 'false', AccessKeyId: record.userIdentity.accessKeyId, EventTime: at,
            EventSource: record.eventSource, Username: record.userIdentity.userName, CloudTrailEvent: JSON.stringify(record),
          }));
        return json({ Events: events });
      },
    },
    'iam:SimulatePrincipalPolicy': {
      reason: 'moto does not simulate policies: after containment every high-risk action is denied explicitly (the responder\'s deny policies)',
      answer: (r) => iamXml('SimulatePrincipalPolicy', evaluation(members(r.params, 'ActionNames'), () => 'explicitDeny')),
    },
    'iam:SimulateCustomPolicy': {
      reason: 'moto does not simulate policies: the seeded user\'s own policy allows ec2:* and nothing else',
      answer: (r) => iamXml('SimulateCustomPolicy', evaluation(members(r.params, 'ActionNames'), (a) => (a.startsWith('ec2:') ? 'allowed' : 'implicitDeny'))),
    },
    'iam:ListServiceSpecificCredentials': {
      reason: 'moto has no service-specific credentials: the user has none',
      answer: () => iamXml('ListServiceSpecificCredentials', '<ServiceSpecificCredentials/>'),
    },
    'support:DescribeCommunications': {
      reason: 'moto keeps no case communications: AWS\'s first message on its case, then what was added',
      answer: (r) => json({ communications: communications.filter((c) => c.caseId === r.params.caseId).reverse() }),
    },
    'support:AddCommunicationToCase': {
      reason: 'moto keeps no case communications: the communication is taken (result true) and kept for DescribeCommunications',
      answer: (r) => {
        communications.push({ caseId: String(r.params.caseId), body: String(r.params.communicationBody), submittedBy: 'exposed-key-responder', timeCreated: new Date().toISOString() });
        return json({ result: true });
      },
    },
    'pricing:GetProducts': {
      reason: 'moto has no Price List API: the on-demand Linux price of the instance type, in the Price List\'s product document shape',
      answer: () => json({
        FormatVersion: 'aws_v1',
        PriceList: [JSON.stringify({
          product: { productFamily: 'Compute Instance', attributes: { instanceType: seed.instance.instanceType, regionCode: seed.instance.region, operatingSystem: 'Linux', tenancy: 'Shared' }, sku: 'RECORDEDSKU0001' },
          serviceCode: 'AmazonEC2',
          terms: { OnDemand: { 'RECORDEDSKU0001.JRTCKXETXF': { priceDimensions: { 'RECORDEDSKU0001.JRTCKXETXF.6YS6EN2CT7': { unit: 'Hrs', pricePerUnit: { USD: '0.0114000000' }, description: 'recorded' } }, sku: 'RECORDEDSKU0001' } } },
        })],
      }),
    },
  };
}

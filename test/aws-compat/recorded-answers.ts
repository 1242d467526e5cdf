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

/**
 * The CloudTrail record of the attacker's RunInstances, in CloudTrail's documented shape
 * (userIdentity of an IAM user signing with its access key; the instance in responseElements).
 */
export function runInstancesRecord(seed: SeededIncident): Record<string, unknown> {
  const { instance } = seed;
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser', principalId: seed.userId, arn: `arn:aws:iam::${seed.accountId}:user/${seed.userName}`,
      accountId: seed.accountId, accessKeyId: seed.accessKeyId, userName: seed.userName,
    },
    eventTime: instance.launchTime.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: 'ec2.amazonaws.com',
    eventName: 'RunInstances',
    awsRegion: instance.region,
    sourceIPAddress: '203.0.113.10',
    userAgent: 'aws-cli/2.15.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.6',
    requestParameters: {
      instancesSet: { items: [{ imageId: instance.imageId, minCount: 1, maxCount: 1 }] },
      instanceType: instance.instanceType, blockDeviceMapping: {}, monitoring: { enabled: false }, disableApiTermination: false,
    },
    responseElements: {
      requestId: '6f3c5e1a-0d4b-4b8e-9d4e-6f1b2c3d4e5f', reservationId: 'r-0123456789abcdef0', ownerId: seed.accountId, groupSet: {},
      instancesSet: {
        items: [{
          instanceId: instance.instanceId, imageId: instance.imageId, instanceState: { code: 0, name: 'pending' },
          instanceType: instance.instanceType, launchTime: instance.launchTime.getTime(), placement: { availabilityZone: `${instance.region}a`, tenancy: 'default' },
        }],
      },
    },
    requestID: '6f3c5e1a-0d4b-4b8e-9d4e-6f1b2c3d4e5f',
    eventID: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: seed.accountId,
    eventCategory: 'Management',
  };
}

/**
 * Recorded answers for what moto 5.2 does not implement (found by trying: moto answers an HTTP 500
 * "not implemented"), keyed `service:Operation`. Each speaks about the seeded incident only.
 */
export function recordedAnswers(seed: SeededIncident): Record<string, RecordedAnswer> {
  const record = runInstancesRecord(seed);
  const communications: Array<{ caseId: string; body: string; submittedBy: string; timeCreated: string }> = [
    {
      caseId: seed.awsCaseId,
      body: `We have become aware that the AWS Access Key ${seed.accessKeyId} for the IAM user ${seed.userName} was publicly available online.`,
      submittedBy: 'Amazon Web Services',
      timeCreated: new Date(seed.instance.launchTime.getTime() - 60_000).toISOString(),
    },
  ];
  return {
    'cloudtrail:LookupEvents': {
      reason: 'moto records no CloudTrail events: the attacker\'s RunInstances, as CloudTrail records it, is answered for the key and its user in the instance\'s region',
      answer: (r: WireRequest) => {
        const [attribute] = (r.params.LookupAttributes ?? []) as Array<{ AttributeKey: string; AttributeValue: string }>;
        const at = new Date(String(record.eventTime)).getTime() / 1000;
        const inWindow = (r.params.StartTime === undefined || Number(r.params.StartTime) <= at) && (r.params.EndTime === undefined || at <= Number(r.params.EndTime));
        const matches = attribute?.AttributeKey === 'AccessKeyId' ? attribute.AttributeValue === seed.accessKeyId
          : attribute?.AttributeKey === 'Username' ? attribute.AttributeValue === seed.userName
            : attribute === undefined;
        const events = r.region === seed.instance.region && inWindow && matches
          ? [{
            EventId: record.eventID, EventName: 'RunInstances', ReadOnly: 'false', AccessKeyId: seed.accessKeyId, EventTime: at,
            EventSource: 'ec2.amazonaws.com', Username: seed.userName,
            Resources: [{ ResourceType: 'AWS::EC2::Instance', ResourceName: seed.instance.instanceId }],
            CloudTrailEvent: JSON.stringify(record),
          }]
          : [];
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

import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import {
  AWS_QUARANTINE_POLICY_ARN_PREFIX,
  HEALTH_RISK_EVENT_CODES,
  isAwsQuarantinePolicyArn,
  LEGACY_QUARANTINE_INLINE_POLICY,
  parseDetection,
  bounded,
} from '../../../lambdas/shared/events';
import { healthEvent, healthEventFromDescribeEvents, viaEventBridge } from '../helpers';

const EVENTS = path.join(__dirname, '../../fixtures/aws/events');
function fixture(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(EVENTS, name), 'utf8'));
}

const KEY = 'AKIAIOSFODNN7EXAMPLE';

function cloudTrailAttach(policyArn: string): Record<string, any> {
  const record = fixture('cloudtrail-record-attach-quarantine-v2.json');
  record.requestParameters.policyArn = policyArn;
  return viaEventBridge(record);
}

function cloudTrailPutUserPolicy(policyName: string): Record<string, any> {
  const record = fixture('cloudtrail-record-attach-quarantine-v2.json');
  record.eventName = 'PutUserPolicy';
  record.requestParameters = { userName: 'test-user', policyName, policyDocument: '{"Version":"2012-10-17","Statement":[]}' };
  return viaEventBridge(record);
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('parseDetection: the published samples', () => {
  it('reads the key of the 2016 Health sample from affectedEntities and names no user', () => {
    // Arrange
    const event = fixture('health-credentials-exposed-2016-sample.json');

    // Act
    const detection = parseDetection(event);

    // Assert
    expect(detection).toEqual({
      source: 'health',
      accountId: '123456789012',
      detectedAt: '2016-06-05T06:27:57Z',
      eventCode: 'AWS_RISK_CREDENTIALS_EXPOSED',
      accessKeyIds: ['ACCESS_KEY_ID_HERE'],
      unusableKeys: [],
      userName: undefined,
      ignored: [],
      roles: [],
      kind: 'keys',
      detail: 'AWS Health AWS_RISK_CREDENTIALS_EXPOSED (arn:aws:health:us-east-1::event/AWS_RISK_CREDENTIALS_EXPOSED_XXXXXXXXXXXXXXXXX)',
      eventArn: 'arn:aws:health:us-east-1::event/AWS_RISK_CREDENTIALS_EXPOSED_XXXXXXXXXXXXXXXXX',
      leakLocation: undefined,
    });
  });

  it('reads key, user, case id, leak location and the "Time Updated" epoch ms of the Trusted Advisor sample', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');

    const detection = parseDetection(event);

    expect(detection).toEqual({
      source: 'trusted-advisor',
      accountId: '111222333444',
      detectedAt: new Date(1497064411198).toISOString(),
      eventCode: 'Exposed Access Keys',
      accessKeyIds: ['ACCESS_KEY_ID_HERE'],
      unusableKeys: [],
      userName: 'test-user',
      ignored: [],
      roles: [],
      kind: 'keys',
      detail: 'Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
      awsCaseId: '02648f3b-e18f-4019-8d68-ce25efe080ff',
      leakLocation: 'www.github.com/some_user/some_repo/some_file',
    });
    expect(detection.detectedAt).toBe('2017-06-10T03:13:31.198Z');
  });

  it('reads the user, and no key, from the bare CloudTrail quarantine record delivered through EventBridge', () => {
    const event = viaEventBridge(fixture('cloudtrail-record-attach-quarantine-v2.json'));

    const detection = parseDetection(event);

    expect(detection).toEqual({
      source: 'quarantine-policy',
      accountId: '123456789012',
      detectedAt: '2023-11-21T23:23:52Z',
      eventCode: 'AttachUserPolicy',
      accessKeyIds: [],
      unusableKeys: [],
      userName: 'test-user',
      ignored: [],
      roles: [],
      kind: 'quarantined-user',
      detail: 'CloudTrail AttachUserPolicy arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2 on user test-user',
    });
  });

  it('does not take the bare CloudTrail record itself for an EventBridge event', () => {
    const record = fixture('cloudtrail-record-attach-quarantine-v2.json');

    expect(() => parseDetection(record)).toThrow(InvalidIncidentError);
  });

  it('reads neither key nor user from the 2022 AWS_RISK_IAM_QUARANTINE Health event', () => {
    const event = healthEventFromDescribeEvents(fixture('health-describe-events-iam-quarantine-2022.json'));

    const detection = parseDetection(event);

    expect(detection).toEqual({
      source: 'health',
      accountId: '123456789012',
      detectedAt: '2022-12-21T14:46:18.719Z',
      eventCode: 'AWS_RISK_IAM_QUARANTINE',
      accessKeyIds: [],
      unusableKeys: [],
      userName: undefined,
      ignored: [],
      roles: [],
      kind: 'account-quarantine',
      detail: 'AWS Health AWS_RISK_IAM_QUARANTINE (arn:aws:health:global::event/RISK/AWS_RISK_IAM_QUARANTINE/AWS_RISK_IAM_QUARANTINE-ovsY8KEPvK)',
      eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK_IAM_QUARANTINE/AWS_RISK_IAM_QUARANTINE-ovsY8KEPvK',
      leakLocation: undefined,
    });
  });

  it('rejects the support-case event: it is not an exposed-key report', () => {
    const event = fixture('support-case-update-create.json');

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('aws.support');
  });

  it('parses every published event sample or rejects it with InvalidIncidentError, never anything else', () => {
    const files = fs.readdirSync(EVENTS).filter((f) => f.endsWith('.json'));
    const outcomes: Record<string, string> = {};

    for (const file of files) {
      try {
        outcomes[file] = parseDetection(fixture(file)).source;
      } catch (err) {
        outcomes[file] = (err as Error).name;
      }
    }

    expect(outcomes).toEqual({
      'cloudtrail-record-attach-quarantine-v2.json': 'InvalidIncidentError', // bare record, not an EventBridge event
      'health-credentials-exposed-2016-sample.json': 'health',
      'health-describe-events-iam-quarantine-2022.json': 'InvalidIncidentError', // DescribeEvents output, not an event
      'support-case-update-create.json': 'InvalidIncidentError',
      'trusted-advisor-exposed-access-keys-sample.json': 'trusted-advisor',
    });
  });
});

describe('parseDetection: AWS Health', () => {
  it('reads key, user and leak URL from eventMetadata of newer Health events', () => {
    const event = healthEvent({
      eventArn: 'arn:aws:health:global::event/RISK/AWS_RISK_CREDENTIALS_EXPOSED/abc',
      eventMetadata: { publicKey: KEY, userName: 'ci-deploy', exposedUrl: 'https://github.com/acme/app/blob/main/.env' },
      affectedEntities: [{ entityValue: KEY }],
    });

    const detection = parseDetection(event);

    expect(detection).toMatchObject({
      source: 'health',
      accessKeyIds: [KEY],
      userName: 'ci-deploy',
      leakLocation: 'https://github.com/acme/app/blob/main/.env',
      detectedAt: '2026-11-20T10:00:00Z',
    });
  });

  it.each([
    'AWS_RISK_CREDENTIALS_EXPOSED',
    'AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED',
    'AWS_RISK_CREDENTIALS_COMPROMISED',
    'AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED',
    'AWS_RISK_IAM_QUARANTINE',
  ])('accepts the RISK event code %s and reads the key from affectedEntities', (code) => {
    const event = healthEvent({ eventTypeCode: code, affectedEntities: [{ entityValue: KEY }] });

    const detection = parseDetection(event);

    expect(detection.accessKeyIds).toEqual([KEY]);
    expect(detection.detail).toBe(`AWS Health ${code}`);
  });

  it('covers exactly the five RISK codes seen in the wild', () => {
    expect([...HEALTH_RISK_EVENT_CODES].sort()).toEqual([
      'AWS_RISK_CREDENTIALS_COMPROMISED',
      'AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED',
      'AWS_RISK_CREDENTIALS_EXPOSED',
      'AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED',
      'AWS_RISK_IAM_QUARANTINE',
    ]);
  });

  it('reads the user name from a user ARN among the affected entities', () => {
    const event = healthEvent({
      eventTypeCode: 'AWS_RISK_IAM_QUARANTINE',
      affectedEntities: [{ entityValue: 'arn:aws:iam::123456789012:user/team/ci-deploy' }],
    });

    const detection = parseDetection(event);

    expect(detection.userName).toBe('ci-deploy');
    expect(detection.accessKeyIds).toEqual([]);
  });

  it('ignores an IAM_QUARANTINE affected entity that is neither a key nor a user (the account id)', () => {
    const event = healthEvent({ eventTypeCode: 'AWS_RISK_IAM_QUARANTINE', affectedEntities: [{ entityValue: '123456789012' }] });

    const detection = parseDetection(event);

    expect(detection.accessKeyIds).toEqual([]);
    expect(detection.userName).toBeUndefined();
  });

  it('names the same key once when eventMetadata and affectedEntities both carry it', () => {
    const event = healthEvent({ eventMetadata: { publicKey: KEY }, affectedEntities: [{ entityValue: KEY }] });

    expect(parseDetection(event).accessKeyIds).toEqual([KEY]);
  });

  it('keeps an affected entity that is not an access key id for the message, naming nothing to contain', () => {
    const event = healthEvent({ affectedEntities: [{ entityValue: 'not a key!' }] });

    const detection = parseDetection(event);

    expect(detection).toMatchObject({ kind: 'nothing', accessKeyIds: [], unusableKeys: [{ value: 'not a key!', reason: 'not-a-key-id' }] });
  });

  it.each([
    ['ASIAY34FZKBOKMUTVV7A', 'temporary-credentials'],
    ['akiaiosfodnn7example', 'lower-case'],
    ['AKIA bad key', 'not-a-key-id'],
  ])('sorts eventMetadata.publicKey %j out as %s, never as a key to contain', (publicKey, reason) => {
    const detection = parseDetection(healthEvent({ eventMetadata: { publicKey } }));

    expect(detection.accessKeyIds).toEqual([]);
    expect(detection.unusableKeys).toEqual([{ value: publicKey, reason }]);
  });

  it('does not use an eventMetadata.userName that breaks IAM\'s grammar, and says so', () => {
    const detection = parseDetection(healthEvent({ eventMetadata: { publicKey: KEY, userName: 'no spaces allowed' } }));

    expect(detection.userName).toBeUndefined();
    expect(detection.accessKeyIds).toEqual([KEY]);
    expect(detection.ignored).toEqual(['user name "no spaces allowed" is not an IAM user name: not used']);
  });

  it('names a role among the affected entities as a role, and a user ARN of another account as ignored', () => {
    const detection = parseDetection(
      healthEvent({ affectedEntities: [{ entityValue: 'arn:aws:iam::123456789012:role/deploy' }, { entityValue: 'arn:aws-us-gov:iam::999988887777:user/x' }] }),
    );

    expect(detection).toMatchObject({
      kind: 'nothing',
      roles: ['arn:aws:iam::123456789012:role/deploy'],
      ignored: ['user arn:aws-us-gov:iam::999988887777:user/x belongs to account 999988887777: not acted on here'],
      userName: undefined,
    });
  });

  it('accepts null affectedEntities, eventMetadata and eventArn as absent', () => {
    const detection = parseDetection(healthEvent({ affectedEntities: null, eventMetadata: null, eventArn: null }));

    expect(detection).toMatchObject({ kind: 'nothing', accessKeyIds: [], eventArn: undefined });
  });

  it('rejects an unknown RISK event code naming detail.eventTypeCode', () => {
    const event = healthEvent({ eventTypeCode: 'AWS_RISK_SOMETHING_ELSE', affectedEntities: [{ entityValue: KEY }] });

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.eventTypeCode');
  });

  it('rejects a Health event of another service naming detail.service', () => {
    const event = healthEvent({ service: 'EC2', affectedEntities: [{ entityValue: KEY }] });

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.service');
  });
});

describe('parseDetection: Trusted Advisor', () => {
  it('rejects the Exposed Access Keys check when its status is WARN', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    event.detail.status = 'WARN';

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.status');
  });

  it('rejects another Trusted Advisor check naming detail.check-name', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    event.detail['check-name'] = 'IAM Password Policy';

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.check-name');
  });

  it('keeps a malformed Access Key ID for the message, naming nothing to contain', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    event.detail['check-item-detail']['Access Key ID'] = 'short';

    expect(parseDetection(event)).toMatchObject({ kind: 'nothing', accessKeyIds: [], unusableKeys: [{ value: 'short', reason: 'not-a-key-id' }] });
  });

  it('rejects a missing Access Key ID naming the field', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    delete event.detail['check-item-detail']['Access Key ID'];

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.check-item-detail.Access Key ID');
  });

  it('accepts a missing or null user name: IAM names the owner', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    event.detail['check-item-detail']['User Name (IAM or Root)'] = null;

    expect(parseDetection(event)).toMatchObject({ kind: 'keys', accessKeyIds: ['ACCESS_KEY_ID_HERE'], userName: undefined });
  });

  it('accepts null Location, Case ID, Fraud Type and Time Updated, and a null region and resources', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    Object.assign(event.detail['check-item-detail'], { Location: null, 'Case ID': null, 'Fraud Type': null, 'Time Updated': null });
    Object.assign(event, { region: null, resources: null });

    expect(parseDetection(event)).toMatchObject({
      detectedAt: '2017-06-10T03:16:34Z',
      detail: 'Trusted Advisor "Exposed Access Keys" (fraud type: unknown)',
      awsCaseId: undefined,
      leakLocation: undefined,
    });
  });

  it('bounds every string it keeps, control characters removed', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    Object.assign(event.detail['check-item-detail'], { Location: `x\u0000\n${'y'.repeat(5000)}`, 'Case ID': 'c'.repeat(5000) });

    const detection = parseDetection(event);

    expect(detection.leakLocation).toHaveLength(1024);
    expect(detection.leakLocation?.startsWith('x y')).toBe(true);
    expect(detection.leakLocation?.endsWith('…')).toBe(true);
    expect(detection.awsCaseId).toHaveLength(256);
  });

  it('falls back to the event time when "Time Updated" is not epoch milliseconds', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    event.detail['check-item-detail']['Time Updated'] = 'yesterday';

    expect(parseDetection(event).detectedAt).toBe('2017-06-10T03:16:34Z');
  });

  it('treats an empty Case ID and Location as absent', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    event.detail['check-item-detail']['Case ID'] = '';
    event.detail['check-item-detail'].Location = '';

    const detection = parseDetection(event);

    expect(detection.awsCaseId).toBeUndefined();
    expect(detection.leakLocation).toBeUndefined();
  });

  it('keeps a root user name as Trusted Advisor gives it', () => {
    const event = fixture('trusted-advisor-exposed-access-keys-sample.json');
    event.detail['check-item-detail']['User Name (IAM or Root)'] = '<root_account>';

    expect(parseDetection(event).userName).toBe('<root_account>');
  });
});

describe('parseDetection: CloudTrail quarantine', () => {
  it.each([
    ['V1 (no suffix)', 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine'],
    ['V2', 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2'],
    ['V3', 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3'],
    ['a future V4', 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV4'],
  ])('accepts AttachUserPolicy of the AWS-managed quarantine policy %s', (_version, arn) => {
    const event = cloudTrailAttach(arn);

    const detection = parseDetection(event);

    expect(detection.source).toBe('quarantine-policy');
    expect(detection.userName).toBe('test-user');
    expect(detection.detail).toContain(arn);
  });

  it('rejects a customer-managed policy that merely carries the quarantine name', () => {
    const event = cloudTrailAttach('arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantineV2');

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toBe('CloudTrail AttachUserPolicy does not put an AWS quarantine policy on the user');
  });

  it('rejects AttachUserPolicy of an unrelated AWS-managed policy', () => {
    const event = cloudTrailAttach('arn:aws:iam::aws:policy/AdministratorAccess');

    expect(() => parseDetection(event)).toThrow(InvalidIncidentError);
  });

  it('accepts the legacy inline policy AWSExposedCredentialPolicy_DO_NOT_REMOVE put with PutUserPolicy', () => {
    const event = cloudTrailPutUserPolicy('AWSExposedCredentialPolicy_DO_NOT_REMOVE');

    const detection = parseDetection(event);

    expect(detection).toMatchObject({
      source: 'quarantine-policy',
      userName: 'test-user',
      accessKeyIds: [],
      detail: 'CloudTrail PutUserPolicy AWSExposedCredentialPolicy_DO_NOT_REMOVE on user test-user',
    });
  });

  it.each(['MyPolicy', 'AWSExposedCredentialPolicy', 'awsexposedcredentialpolicy_do_not_remove'])(
    'rejects PutUserPolicy of another inline policy name (%s)',
    (name) => {
      const event = cloudTrailPutUserPolicy(name);

      const err = errorOf(() => parseDetection(event));

      expect(err).toBeInstanceOf(InvalidIncidentError);
      expect(err.message).toContain('PutUserPolicy does not put an AWS quarantine policy');
    },
  );

  it('rejects a quarantine attach that failed (errorCode set)', () => {
    const event = cloudTrailAttach('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2');
    event.detail.errorCode = 'AccessDenied';

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.errorCode');
  });

  it('rejects other IAM API calls naming detail.eventName', () => {
    const event = cloudTrailAttach('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2');
    event.detail.eventName = 'DetachUserPolicy';

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.eventName');
  });

  it('rejects a record without a user name naming detail.requestParameters.userName', () => {
    const event = cloudTrailAttach('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2');
    delete event.detail.requestParameters.userName;

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail.requestParameters.userName');
  });
});

describe('parseDetection: manual reports', () => {
  it('reads key, user and reason of a report sent with put-events', () => {
    const event = {
      source: 'exposed-key-responder',
      'detail-type': 'Exposed Access Key Reported',
      account: '123456789012',
      time: '2026-11-20T10:00:00Z',
      detail: { accessKeyId: KEY, userName: 'ci-deploy', reason: 'found in a pastebin' },
    };

    expect(parseDetection(event)).toEqual({
      source: 'manual',
      accountId: '123456789012',
      detectedAt: '2026-11-20T10:00:00Z',
      eventCode: 'Exposed Access Key Reported',
      accessKeyIds: [KEY],
      unusableKeys: [],
      userName: 'ci-deploy',
      ignored: [],
      roles: [],
      kind: 'keys',
      detail: 'Reported by hand',
      reporterNote: 'found in a pastebin',
    });
  });
});

describe('parseDetection: shapes that are not events', () => {
  it.each([
    ['null', null],
    ['a string', 'AKIAIOSFODNN7EXAMPLE'],
    ['an object without source', { 'detail-type': 'AWS Health Event', detail: {} }],
  ])('rejects %s as not an EventBridge event', (_what, input) => {
    const err = errorOf(() => parseDetection(input));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toBe('not an EventBridge event: source and detail-type are required');
  });

  it('rejects an unknown source naming it', () => {
    const event = { source: 'aws.securityhub', 'detail-type': 'Security Hub Findings - Imported', account: '123456789012', time: 't', detail: {} };

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toBe('unknown event source "aws.securityhub"');
  });

  it('rejects an account id that is not 12 digits naming the account field', () => {
    const event = fixture('health-credentials-exposed-2016-sample.json');
    event.account = '1234';

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toMatch(/: account: /);
  });

  it('rejects a known source with another detail-type naming detail-type', () => {
    const event = fixture('health-credentials-exposed-2016-sample.json');
    event['detail-type'] = 'AWS Health Abuse Event';

    const err = errorOf(() => parseDetection(event));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('detail-type');
    expect(err.message).toContain('AWS Health Abuse Event');
  });
});

describe('bounded', () => {
  it('keeps a short string as it is, and cuts a long one with an ellipsis', () => {
    expect(bounded('abc', 3)).toBe('abc');
    expect(bounded('abcdef', 4)).toBe('abc…');
  });

  it('turns control characters and line breaks into single spaces', () => {
    expect(bounded('a\u0000\u0007b\r\nc\u2028d', 100)).toBe('a b c d');
  });

  it('never leaves half of a surrogate pair at the cut', () => {
    expect(bounded(`ab${'😀'.repeat(5)}`, 4)).toBe('ab…');
  });
});

describe('isAwsQuarantinePolicyArn', () => {
  it('matches the AWS-managed prefix and nothing in a customer account', () => {
    expect(isAwsQuarantinePolicyArn('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV9')).toBe(true);
    expect(LEGACY_QUARANTINE_INLINE_POLICY).toBe('AWSExposedCredentialPolicy_DO_NOT_REMOVE');
    expect(AWS_QUARANTINE_POLICY_ARN_PREFIX).toBe('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine');
    expect(isAwsQuarantinePolicyArn('arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantine')).toBe(false);
    expect(isAwsQuarantinePolicyArn('arn:aws:iam::aws:policy/AWSCompromisedKey')).toBe(false);
  });

  it('matches the AWS-managed policy in any partition', () => {
    expect(isAwsQuarantinePolicyArn('arn:aws-us-gov:iam::aws:policy/AWSCompromisedKeyQuarantineV2')).toBe(true);
    expect(isAwsQuarantinePolicyArn('arn:aws-cn:iam::aws:policy/AWSCompromisedKeyQuarantineV3')).toBe(true);
    expect(isAwsQuarantinePolicyArn('xarn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3')).toBe(false);
  });
});

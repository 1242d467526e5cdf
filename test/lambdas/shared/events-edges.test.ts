// The parser's negative cases: values that look like a key, a user or an account and are not, and
// the refusal of events that do not fit.
import { parseDetection } from '../../../lambdas/shared/events';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { ACCOUNT_ID, healthEvent } from '../helpers';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

function manual(detail: Record<string, unknown>, account: unknown = ACCOUNT_ID): Record<string, unknown> {
  return { source: 'exposed-key-responder', 'detail-type': 'Exposed Access Key Reported', account, time: '2026-11-20T10:00:00Z', detail };
}

function attach(requestParameters: Record<string, unknown>): Record<string, unknown> {
  return {
    version: '0',
    id: 'e1',
    source: 'aws.iam',
    'detail-type': 'AWS API Call via CloudTrail',
    account: ACCOUNT_ID,
    time: '2026-11-20T10:00:00Z',
    detail: { eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', eventTime: '2026-11-20T09:59:00Z', requestParameters },
  };
}

function refusal(event: unknown): InvalidIncidentError {
  try {
    parseDetection(event);
  } catch (err) {
    return err as InvalidIncidentError;
  }
  throw new Error('the event was not refused');
}

describe('parseDetection: the envelope\'s account', () => {
  it.each(['1234567890123', 'a123456789012', '123456789012a'])('refuses account %s (twelve digits, nothing else)', (account) => {
    const err = refusal(manual({ accessKeyId: KEY }, account));

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message).toContain('account:');
  });
});

describe('parseDetection: a CloudTrail quarantine naming no IAM user', () => {
  it('names no user, acts on nothing and says why', () => {
    const detection = parseDetection(attach({ userName: 'not a user!', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' }));

    expect(detection).toEqual({
      source: 'quarantine-policy',
      accountId: ACCOUNT_ID,
      detectedAt: '2026-11-20T09:59:00Z',
      eventCode: 'AttachUserPolicy',
      accessKeyIds: [],
      unusableKeys: [],
      userName: undefined,
      ignored: ['user name "not a user!" is not an IAM user name: not used'],
      roles: [],
      kind: 'nothing',
      detail: 'CloudTrail AttachUserPolicy arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3 on user (not an IAM user name)',
    });
  });
});

describe('parseDetection: a manual report whose key is no key', () => {
  it('names nothing to contain for a lower-case id', () => {
    const detection = parseDetection(manual({ accessKeyId: 'akiaiosfodnn7example' }));

    expect(detection).toMatchObject({ accessKeyIds: [], unusableKeys: [{ value: 'akiaiosfodnn7example', reason: 'lower-case' }], kind: 'nothing' });
  });
});

describe('parseDetection: a refusal names at most five problems', () => {
  it('lists the first five problems of an event with eight, each with its path', () => {
    const event = manual({ accessKeyId: 1, userName: 2, reason: 3 }, 4);
    Object.assign(event, { time: 5, version: 6, id: 7 });

    const err = refusal(event);

    expect(err.message).toBe(
      'exposed-key-responder event "Exposed Access Key Reported" is not an exposed-key report: version: Invalid input; id: Invalid input; account: Invalid input; time: Invalid input; detail.accessKeyId: Invalid input',
    );
  });
});

describe('parseDetection: Health values that are not what they look like', () => {
  it.each([
    ['absent', {}],
    ['null', { publicKey: null }],
  ])('takes no value for a key when the public key is %s', (_why, eventMetadata) => {
    const detection = parseDetection(healthEvent({ eventMetadata, affectedEntities: [{ entityValue: KEY }] }));

    expect(detection).toMatchObject({ accessKeyIds: [KEY], unusableKeys: [], kind: 'keys' });
  });

  it('takes no user from a list holding a user ARN: only a string is an ARN', () => {
    const detection = parseDetection(healthEvent({ affectedEntities: [{ entityValue: [`arn:aws:iam::${ACCOUNT_ID}:user/alice`] }] }));

    expect(detection.userName).toBeUndefined();
    expect(detection.unusableKeys).toEqual([{ value: `["arn:aws:iam::${ACCOUNT_ID}:user/alice"]`, reason: 'not-a-key-id' }]);
  });

  it('takes no user from a user ARN ending in a slash', () => {
    const value = `arn:aws:iam::${ACCOUNT_ID}:user/alice/`;

    const detection = parseDetection(healthEvent({ affectedEntities: [{ entityValue: value }] }));

    expect(detection.userName).toBeUndefined();
    expect(detection.unusableKeys).toEqual([{ value, reason: 'not-a-key-id' }]);
  });

  it('in a quarantine event, skips only a twelve-digit string: keys that start or end with twelve digits are keys, a number is no key', () => {
    const detection = parseDetection(
      healthEvent({ eventTypeCode: 'AWS_RISK_IAM_QUARANTINE', affectedEntities: [{ entityValue: 'AKIA123456789012' }, { entityValue: '123456789012AKIA' }, { entityValue: 123456789012 }] }),
    );

    expect(detection.accessKeyIds).toEqual(['AKIA123456789012', '123456789012AKIA']);
    expect(detection.unusableKeys).toEqual([{ value: '123456789012', reason: 'not-a-key-id' }]);
  });
});

describe('parseDetection: a manual report naming a user outside IAM\'s grammar', () => {
  it('is refused, and the refusal says the name is not an IAM user name', () => {
    const err = refusal(manual({ accessKeyId: KEY, userName: 'bad name!' }));

    expect(err.message).toBe('exposed-key-responder event "Exposed Access Key Reported" is not an exposed-key report: detail.userName: not an IAM user name');
  });
});

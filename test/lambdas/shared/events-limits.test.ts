// What the parser decides at its edges: how many entities it reads, what a quarantine event names,
// which values are no key, and how it words a refusal.
import { parseDetection } from '../../../lambdas/shared/events';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { ACCOUNT_ID, healthEvent } from '../helpers';

const keyOf = (i: number) => `AKIA${String(i).padStart(16, '0')}`;
const quarantine = (detail: Record<string, unknown>) => healthEvent({ eventTypeCode: 'AWS_RISK_IAM_QUARANTINE', ...detail });

describe('Health entities: how many are read', () => {
  it('reads 100 entities and counts the ones past them', () => {
    const detection = parseDetection(healthEvent({ affectedEntities: Array.from({ length: 101 }, (_, i) => ({ entityValue: keyOf(i) })) }));

    expect(detection.accessKeyIds).toHaveLength(100);
    expect(detection.accessKeyIds.at(-1)).toBe(keyOf(99));
    expect(detection.entitiesNotRead).toBe(1);
  });

  it('says nothing of entities not read when there are exactly 100', () => {
    const detection = parseDetection(healthEvent({ affectedEntities: Array.from({ length: 100 }, (_, i) => ({ entityValue: keyOf(i) })) }));

    expect(detection.accessKeyIds).toHaveLength(100);
    expect(detection).not.toHaveProperty('entitiesNotRead');
  });

  it('skips empty entities without calling them keys', () => {
    const detection = parseDetection(healthEvent({ affectedEntities: [null, {}, { entityValue: null }, { entityValue: '' }, { entityValue: keyOf(1) }] }));

    expect(detection).toMatchObject({ accessKeyIds: [keyOf(1)], unusableKeys: [], kind: 'keys' });
  });
});

describe('what an AWS_RISK_IAM_QUARANTINE names', () => {
  it('takes the account\'s own id for the account, not for a key', () => {
    expect(parseDetection(quarantine({ affectedEntities: [{ entityValue: ACCOUNT_ID }] }))).toMatchObject({ kind: 'account-quarantine', unusableKeys: [], accessKeyIds: [] });
  });

  it('takes a 12-digit entity of another Health event for a value that is no key', () => {
    expect(parseDetection(healthEvent({ affectedEntities: [{ entityValue: ACCOUNT_ID }] }))).toMatchObject({ kind: 'nothing', unusableKeys: [{ value: ACCOUNT_ID, reason: 'not-a-key-id' }] });
  });

  it('reads a quarantine naming the root user as naming no IAM user', () => {
    expect(parseDetection(quarantine({ eventMetadata: { userName: 'root' } }))).toMatchObject({ kind: 'account-quarantine', userName: 'root' });
  });

  it.each([
    ['a value that is no key', [{ entityValue: 'ASIAIOSFODNN7EXAMPLE' }]],
    ['a role', [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:role/deploy` }]],
  ])('names nothing to contain when it names %s', (_what, affectedEntities) => {
    expect(parseDetection(quarantine({ affectedEntities })).kind).toBe('nothing');
  });

  it('names the user of a user ARN as quarantined, the first one it reads', () => {
    const detection = parseDetection(quarantine({ affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:user/alice` }, { entityValue: `arn:aws:iam::${ACCOUNT_ID}:user/bob` }] }));

    expect(detection).toMatchObject({ kind: 'quarantined-user', userName: 'alice' });
  });

  it('words its detail without an event ARN when Health gives none', () => {
    expect(parseDetection(quarantine({})).detail).toBe('AWS Health AWS_RISK_IAM_QUARANTINE');
  });
});

describe('values that are no key', () => {
  it.each([
    ['temporary credentials', 'ASIAIOSFODNN7EXAMPLE', 'temporary-credentials'],
    ['temporary credentials in lower case', 'asiaiosfodnn7example', 'temporary-credentials'],
    ['a key id in lower case', 'akiaiosfodnn7example', 'lower-case'],
    ['a number', 12, 'not-a-key-id'],
    ['an object', { id: 'x' }, 'not-a-key-id'],
    ['a short value', 'AKIA123', 'not-a-key-id'],
  ])('calls %s no key, saying why', (_what, entityValue, reason) => {
    const detection = parseDetection(healthEvent({ affectedEntities: [{ entityValue }] }));

    expect(detection.accessKeyIds).toEqual([]);
    expect(detection.unusableKeys).toEqual([{ value: typeof entityValue === 'string' ? entityValue : JSON.stringify(entityValue), reason }]);
  });
});

describe('how a refusal is worded', () => {
  it('names the source, the detail-type and the first five problems with their paths', () => {
    const event = { source: 'aws.health', 'detail-type': 'AWS Health Event', account: 'x', time: 1, detail: { service: 'EC2', eventTypeCode: 'X', affectedEntities: 'none' } };

    const err = (() => {
      try {
        parseDetection(event);
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a refusal');
    })();

    expect(err).toBeInstanceOf(InvalidIncidentError);
    expect(err.message.startsWith('aws.health event "AWS Health Event" is not an exposed-key report: account: ')).toBe(true);
    expect(err.message.split(' is not an exposed-key report: ')[1].split('; ')).toHaveLength(5);
    expect(err.message).toContain('; time: ');
    expect(err.message).toContain('; detail.service: ');
  });

  it('names a missing part of the event by its path', () => {
    expect(() => parseDetection({ source: 'exposed-key-responder', 'detail-type': 'Exposed Access Key Reported', time: 't', detail: {} })).toThrow(
      /^exposed-key-responder event "Exposed Access Key Reported" is not an exposed-key report: account: .*; detail\.accessKeyId: /,
    );
  });

  it.each([
    ['nothing', undefined],
    ['no detail-type', { source: 'aws.health' }],
    ['a source that is not a string', { source: 1, 'detail-type': 'AWS Health Event' }],
  ])('refuses %s as not an EventBridge event', (_what, event) => {
    expect(() => parseDetection(event)).toThrow(new InvalidIncidentError('not an EventBridge event: source and detail-type are required'));
  });
});

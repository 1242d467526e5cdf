// The grammars that decide what an event may name: access key ids, user names, account ids,
// principal ARNs and Trusted Advisor's times. Each accepted form beside the nearest refused one.
import { parseDetection } from '../../../lambdas/shared/events';
import { ACCESS_KEY_ID, IncidentSchema, USER_NAME, USER_NAME_PATTERN } from '../../../lambdas/shared/incident';
import { ACCOUNT_ID, anIncident, healthEvent, readEvent } from '../helpers';

const KEY = 'AKIAIOSFODNN7EXAMPLE';

function trustedAdvisor(item: Record<string, unknown>): Record<string, any> {
  const event = readEvent('trusted-advisor-exposed-access-keys-sample.json');
  event.account = ACCOUNT_ID;
  Object.assign(event.detail['check-item-detail'], item);
  return event;
}

describe('access key ids (IAM\'s pattern: 16 to 128 word characters)', () => {
  it.each([
    ['16 characters', 'A'.repeat(16), true],
    ['128 characters', 'A'.repeat(128), true],
    ['15 characters', 'A'.repeat(15), false],
    ['129 characters', 'A'.repeat(129), false],
    ['a dash', 'AKIAIOSFODNN7-EXAMPLE', false],
    ['a leading space', ` ${KEY}`, false],
    ['a trailing word', `${KEY} x`, false],
    ['a prefix', `x.${KEY}`, false],
  ])('%s: %s', (_what, value, valid) => {
    expect(ACCESS_KEY_ID.safeParse(value).success).toBe(valid);
  });
});

describe('user names (IAM\'s pattern)', () => {
  it.each([
    ['every allowed sign', 'a_b+c=d,e.f@g-h', true],
    ['64 characters', 'u'.repeat(64), true],
    ['one character', 'u', true],
    ['65 characters', 'u'.repeat(65), false],
    ['empty', '', false],
    ['a space', 'ci deploy', false],
    ['a slash', 'team/ci', false],
    ['a trailing line break', 'ci-deploy\n', false],
    ['a leading star', '*ci-deploy', false],
  ])('%s: %s', (_what, value, valid) => {
    expect(USER_NAME_PATTERN.test(value)).toBe(valid);
    expect(USER_NAME.safeParse(value).success).toBe(valid);
  });
});

describe('the incident\'s own fields', () => {
  it.each([
    ['an account id of 11 digits', { accountId: '12345678901' }],
    ['an account id of 13 digits', { accountId: '1234567890123' }],
    ['an account id with a letter', { accountId: '12345678901a' }],
    ['an empty user name', { userName: '' }],
    ['an incident id with a dot', { incidentId: 'AKIA.20261120' }],
    ['an incident id of 81 characters', { incidentId: 'A'.repeat(81) }],
    ['an empty incident id', { incidentId: '' }],
    ['an empty reported user name', { reportedUserName: '' }],
    ['a reported user name of 65 characters', { reportedUserName: 'u'.repeat(65) }],
    ['an AWS case id of 257 characters', { awsCaseId: 'c'.repeat(257) }],
    ['a leak location of 1025 characters', { leakLocation: 'l'.repeat(1025) }],
    ['an unknown source', { source: 'macie' }],
    ['an unknown principal type', { principalType: 'role' }],
  ])('refuses %s', (_what, override) => {
    expect(IncidentSchema.safeParse(anIncident(override as never)).success).toBe(false);
  });

  it('accepts the longest values it allows', () => {
    const incident = anIncident({
      incidentId: 'A'.repeat(80),
      reportedUserName: 'u'.repeat(64),
      awsCaseId: 'c'.repeat(256),
      leakLocation: 'l'.repeat(1024),
      detail: 'd'.repeat(1000),
      reporterNote: 'n'.repeat(500),
    });

    expect(IncidentSchema.parse(incident)).toEqual(incident);
  });
});

describe('principal ARNs among Health\'s affected entities', () => {
  it.each([
    ['an assumed-role session', 'arn:aws:sts::123456789012:assumed-role/deploy/session-1'],
    ['a role with a path', 'arn:aws:iam::123456789012:role/service/deploy'],
    ['a role in aws-us-gov', 'arn:aws-us-gov:iam::123456789012:role/deploy'],
  ])('names %s as a role, never as a user or a key', (_what, arn) => {
    const detection = parseDetection(healthEvent({ affectedEntities: [{ entityValue: arn }] }));

    expect(detection).toMatchObject({ roles: [arn], userName: undefined, accessKeyIds: [], unusableKeys: [], kind: 'nothing' });
  });

  it.each([
    ['a group', 'arn:aws:iam::123456789012:group/admins'],
    ['an account id of 11 digits', 'arn:aws:iam::12345678901:user/alice'],
    ['no name after the slash', 'arn:aws:iam::123456789012:user/'],
    ['a service other than IAM and STS', 'arn:aws:s3::123456789012:user/alice'],
    ['something before the ARN', 'xarn:aws:iam::123456789012:user/alice'],
    ['a partition that is not aws*', 'arn:azure:iam::123456789012:user/alice'],
  ])('takes %s for no principal: it is told to people as a value that is not a key', (_what, value) => {
    const detection = parseDetection(healthEvent({ affectedEntities: [{ entityValue: value }] }));

    expect(detection).toMatchObject({ roles: [], userName: undefined, accessKeyIds: [], unusableKeys: [{ value, reason: 'not-a-key-id' }] });
  });

  it('says which account a principal of another account belongs to, and acts on nothing of it', () => {
    const detection = parseDetection(healthEvent({ affectedEntities: [{ entityValue: 'arn:aws:sts::999988887777:assumed-role/admin/x' }, { entityValue: KEY }] }));

    expect(detection).toMatchObject({
      roles: [],
      accessKeyIds: [KEY],
      ignored: ['assumed-role arn:aws:sts::999988887777:assumed-role/admin/x belongs to account 999988887777: not acted on here'],
    });
  });
});

describe('Trusted Advisor\'s "Time Updated" (epoch milliseconds, 10 to 14 digits)', () => {
  it.each([
    ['13 digits', '1497064411198', '2017-06-10T03:13:31.198Z'],
    ['10 digits', '1497064411', '1970-01-18T07:51:04.411Z'],
    ['14 digits', '14970644111980', '2444-05-26T08:15:11.980Z'],
  ])('reads %s as the detection time', (_what, value, iso) => {
    expect(parseDetection(trustedAdvisor({ 'Time Updated': value })).detectedAt).toBe(iso);
  });

  it.each([
    ['9 digits', '149706441'],
    ['15 digits', '149706441119800'],
    ['digits and a letter', '1497064411198Z'],
    ['a number, not a string', 1497064411198],
  ])('falls back to the event\'s time for %s', (_what, value) => {
    const event = trustedAdvisor({ 'Time Updated': value });

    expect(parseDetection(event).detectedAt).toBe(event.time);
  });
});

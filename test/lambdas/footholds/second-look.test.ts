import { findFootholds } from '../../../lambdas/footholds/find';
import { secondLookLookups, useAfterContainment } from '../../../lambdas/footholds/second-look';
import { ACCOUNT_ID, KEY_ID, REVOKED_BEFORE } from '../helpers';
import { incident } from './harness';
import { ATTACKER_IP, Call, calls, identities, iam, record, ROLE_SESSION_KEY, SESSION_KEY } from './trail';

const CONTAINED_AT = '2026-11-20T10:00:30.000Z';
const LATE = '2026-11-20T10:12:00Z';

/** The first pass: a GetSessionToken session, a user and a key it created, a role it assumed, a role it created. */
const first = findFootholds(incident, [
  calls.sts('GetSessionToken', {}, SESSION_KEY),
  calls.createUser('support-admin'),
  calls.createAccessKey('support-admin', 'AKIA3BACKDOORKEY0001'),
  calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, ROLE_SESSION_KEY),
  iam('CreateRole', { roleName: 'ops-support' }),
]);

const look = (records: unknown[]) => useAfterContainment(incident, first, records, CONTAINED_AT, REVOKED_BEFORE);
const describeInstances = (extra: Partial<Call>) =>
  record({ eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', eventTime: LATE, awsRegion: 'eu-west-1', ...extra });

describe('useAfterContainment', () => {
  it('reports a call the leaked key made after containment that succeeded: containment did not hold', () => {
    const out = look([describeInstances({ eventID: 'evt-late' }), describeInstances({ eventTime: '2026-11-20T09:59:00Z' })]);

    expect(out).toEqual({
      held: false,
      used: [{ eventId: 'evt-late', eventTime: '2026-11-20T10:12:00.000Z', eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances', region: 'eu-west-1', sourceIp: ATTACKER_IP, by: `the leaked key ${KEY_ID}` }],
      usedCount: 1,
      denied: [],
      deniedCount: 0,
      unreadable: 0,
    });
  });

  it('counts what failed after containment as attempts it stopped, and then says it held', () => {
    const backdoorKey = { ...identities.leakedKey(), userName: 'support-admin', accessKeyId: 'AKIA3BACKDOORKEY0001' };
    const out = look([describeInstances({ userIdentity: backdoorKey, errorCode: 'AuthFailure' })]);

    expect(out.held).toBe(true);
    expect(out.denied.map((d) => [d.by, d.errorCode])).toEqual([['access key AKIA3BACKDOORKEY0001 it created for user support-admin', 'AuthFailure']]);
  });

  it('follows the sessions, users and roles of the first pass', () => {
    const roleSession = (creationDate: string, role = 'deploy') => ({
      ...identities.assumedRole('ASIANEWROLESESSION01'),
      sessionContext: { sessionIssuer: { type: 'Role', arn: `arn:aws:iam::${ACCOUNT_ID}:role/${role}`, userName: role }, attributes: { creationDate } },
    });
    const out = look([
      describeInstances({ userIdentity: identities.sessionToken() }),
      describeInstances({ userIdentity: { ...identities.leakedKey(), userName: 'support-admin', accessKeyId: 'ASIACONSOLESESSION01' } }),
      describeInstances({ userIdentity: roleSession('2026-11-20T09:40:00Z') }),
      describeInstances({ userIdentity: roleSession('2026-11-20T10:06:00Z') }),
      describeInstances({ userIdentity: roleSession('2026-11-20T10:06:00Z', 'ops-support') }),
      describeInstances({ userIdentity: identities.alice() }),
    ]);

    expect(out.used.map((u) => u.by)).toEqual([
      `session ${SESSION_KEY} the leaked key obtained (GetSessionToken)`,
      'user support-admin it created',
      'a session of role deploy issued before the revocation',
      'a session of role ops-support it created',
    ]);
  });

  it('counts records it cannot read', () => {
    expect(look(['{', { eventName: 'x' }]).unreadable).toBe(2);
  });
});

describe('the second look finds late footholds', () => {
  it("ties a late record to a session the first pass found, though the record obtaining it is not in the new window", () => {
    const late = [calls.createUser('late-backdoor', { userIdentity: identities.sessionToken(), eventTime: LATE })];

    expect(findFootholds(incident, late).footholds).toEqual([]);
    expect(findFootholds(incident, late, first.sessions).footholds.map((f) => f.kind === 'user' && f.userName)).toEqual(['late-backdoor']);
  });

  it('searches by the key, its sessions and the keys it created, and by its user and the users it created', () => {
    expect(secondLookLookups({ ...incident, principalType: 'user' }, first)).toEqual([
      { AttributeKey: 'AccessKeyId', AttributeValue: KEY_ID },
      { AttributeKey: 'AccessKeyId', AttributeValue: SESSION_KEY },
      { AttributeKey: 'AccessKeyId', AttributeValue: ROLE_SESSION_KEY },
      { AttributeKey: 'AccessKeyId', AttributeValue: 'AKIA3BACKDOORKEY0001' },
      { AttributeKey: 'Username', AttributeValue: 'ci-deploy' },
      { AttributeKey: 'Username', AttributeValue: 'support-admin' },
    ]);
  });
});

// Which role the dispatcher revokes the sessions of, and what it tells people instead of its own
// "revoke by hand" items (lambdas/dispatcher/role-sessions.ts), called directly with a Detection.
import { GetRoleCommand, GetRolePolicyCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { replacedByRoleSessions, revokeFindingRoleSessions } from '../../../lambdas/dispatcher/role-sessions';
import { Detection } from '../../../lambdas/shared/detection';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { parseProtectedPrincipals, protectionCheck } from '../../../lambdas/shared/protection';
import { awsError, fakeLogger } from '../helpers';
import { iam, NOW, resetAws } from './fixtures';

const ROLE_A = 'arn:aws:iam::123456789012:role/app-server-role';
const ROLE_B = 'arn:aws:iam::123456789012:role/batch-role';
/** The proof line of the default finding below, as people are told it, for a role of the account. */
const SEEN = (role: string) =>
  `Seen: role arn:aws:iam::123456789012:role/${role} assumed: GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS at 2026-11-20T09:58:00Z in eu-west-1, by ASIAEXAMPLESESSION01 (event arn:aws:guardduty:eu-west-1:123456789012:detector/d/finding/f).`;
const DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-20T10:05:00.000Z"}}}]}';

function finding(overrides: Partial<Detection> = {}): Detection {
  return {
    source: 'guardduty',
    accountId: '123456789012',
    detectedAt: '2026-11-20T09:58:00Z',
    eventCode: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    accessKeyIds: [],
    unusableKeys: [{ value: 'ASIAEXAMPLESESSION01', reason: 'temporary-credentials' }],
    ignored: [],
    roles: [ROLE_A],
    kind: 'nothing',
    detail: 'GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS (severity 8)',
    eventArn: 'arn:aws:guardduty:eu-west-1:123456789012:detector/d/finding/f',
    ...overrides,
  };
}

/** Roles of the account, by name: each answers GetRole, and keeps its inline policies. */
function roles(...names: string[]): Map<string, string> {
  const put = new Map<string, string>();
  for (const name of names) {
    iam.on(GetRoleCommand, { RoleName: name }).resolves({ Role: { RoleName: name, Path: '/', Arn: `arn:aws:iam::123456789012:role/${name}`, RoleId: 'AROAEXAMPLE', CreateDate: new Date(0) } });
  }
  iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: 'no such policy', $metadata: {} }));
  iam.on(PutRolePolicyCommand).callsFake(async (input: { RoleName: string; PolicyDocument: string }) => {
    put.set(input.RoleName, input.PolicyDocument);
    iam.on(GetRolePolicyCommand, { RoleName: input.RoleName }).resolves({ RoleName: input.RoleName, PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: encodeURIComponent(input.PolicyDocument) });
    return {};
  });
  return put;
}

function deps(protectedRoles: string[] = [], dryRun = false) {
  return {
    iam: new IAMClient({}),
    logger: fakeLogger(),
    accountId: '123456789012',
    now: NOW,
    config: { dryRun, protection: protectionCheck(parseProtectedPrincipals([]), parseProtectedPrincipals(protectedRoles, 'role')) },
  };
}

beforeEach(() => resetAws());

describe('replacedByRoleSessions: which of the dispatcher\'s own items a role-session outcome replaces', () => {
  const item = (reason: string, about: string) => ({ reason, about }) as Parameters<typeof replacedByRoleSessions>[1];

  it('replaces the "revoke by hand" item of a handled role, and the temporary credentials', () => {
    const outcome = { handled: [ROLE_A] };

    expect(replacedByRoleSessions(outcome, item('role', `role ${ROLE_A}`))).toBe(true);
    expect(replacedByRoleSessions(outcome, item('temporary-credentials', 'credential ASIAEXAMPLESESSION01'))).toBe(true);
  });

  it('keeps the item of a role it did not handle, next to one it did', () => {
    const outcome = { handled: [ROLE_A, 'arn:aws:iam::123456789012:role/other-role'] };

    expect(replacedByRoleSessions(outcome, item('role', `role ${ROLE_B}`))).toBe(false);
    expect(replacedByRoleSessions(outcome, item('role', `role ${ROLE_A}`))).toBe(true);
  });

  it('keeps every other item, even one that names a handled role', () => {
    const outcome = { handled: [ROLE_A] };

    expect(replacedByRoleSessions(outcome, item('unknown-key', `role ${ROLE_A}`))).toBe(false);
    expect(replacedByRoleSessions(outcome, item('not-a-key-id', 'value "x"'))).toBe(false);
  });

  it('replaces nothing when no role was handled, not even the temporary credentials', () => {
    const outcome = { handled: [] };

    expect(replacedByRoleSessions(outcome, item('temporary-credentials', 'credential ASIAEXAMPLESESSION01'))).toBe(false);
    expect(replacedByRoleSessions(outcome, item('role', `role ${ROLE_A}`))).toBe(false);
  });
});

describe('revokeFindingRoleSessions: which role\'s sessions are revoked', () => {
  it('revokes the role of this account only: a role of another account or partition named beside it is left alone', async () => {
    const put = roles('app-server-role', 'batch-role');
    const d = finding({ roles: [ROLE_A, 'arn:aws:iam::210987654321:role/batch-role', 'arn:aws-cn:iam::123456789012:role/batch-role'] });

    const out = await revokeFindingRoleSessions(d, deps());

    expect([...put.keys()]).toEqual(['app-server-role']);
    expect(out.handled).toEqual([ROLE_A]);
    expect(out.open).toEqual([]);
  });

  it('says which role was refused when two are named: the item is about the protected one, with its own commands', async () => {
    const put = roles('app-server-role', 'batch-role');

    const out = await revokeFindingRoleSessions(finding({ roles: [ROLE_A, ROLE_B] }), deps(['batch-role']));

    expect([...put.keys()]).toEqual(['app-server-role']);
    expect(out.handled).toEqual([ROLE_A, ROLE_B]);
    expect(out.contained).toEqual([
      `Revoked: deny every session of role app-server-role issued before 2026-11-20T10:05:00.000Z (inline policy AWSRevokeOlderSessions, the console's "Revoke active sessions") (read back: 2026-11-20T10:05:00.000Z). ${SEEN('app-server-role')} Undo: aws iam delete-role-policy --role-name app-server-role --policy-name AWSRevokeOlderSessions`,
    ]);
    expect(out.open).toEqual([
      {
        reason: 'role-sessions',
        about: `role ${ROLE_B}`,
        finding:
          'the temporary credentials ASIAEXAMPLESESSION01 belong to this role; its sessions were not revoked (role batch-role is protected (role batch-role is on the protected list (entry "batch-role")): nothing was changed, a human must decide). A person must decide; no access key was changed. ' + SEEN('batch-role'),
        commands: [
          `aws iam put-role-policy --role-name batch-role --policy-name AWSRevokeOlderSessions --policy-document '${DOCUMENT}'`,
          'aws iam get-role --role-name batch-role',
          'aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue=batch-role',
        ],
      },
    ]);
  });

  it('a failed call is told with its error code, and nothing else is said done', async () => {
    roles('app-server-role');
    iam.on(PutRolePolicyCommand).rejects(awsError('AccessDenied', 'not authorized to perform iam:PutRolePolicy'));

    const out = await revokeFindingRoleSessions(finding(), deps());

    expect(out.contained).toEqual([]);
    expect(out.open.map((i) => [i.reason, i.about])).toEqual([['role-sessions', `role ${ROLE_A}`]]);
    expect(out.open[0].finding).toContain('its sessions were not revoked (could not deny every session of role app-server-role');
    expect(out.open[0].finding).toContain('AccessDenied');
  });

  it('logs the roles, what happened to each and whether it was a dry run', async () => {
    roles('app-server-role');
    const d = deps([], true);

    await revokeFindingRoleSessions(finding(), d);

    expect(d.logger.info).toHaveBeenCalledWith('role sessions of a GuardDuty finding', { roles: ['app-server-role'], statuses: ['dry-run'], dryRun: true });
  });

  it.each([
    ['another source', finding({ source: 'health' })],
    ['no temporary credentials (only a value that is no key)', finding({ unusableKeys: [{ value: 'asia', reason: 'not-a-key-id' }] })],
    ['no role', finding({ roles: [] })],
    ['a role of another account only', finding({ roles: ['arn:aws:iam::210987654321:role/app-server-role'] })],
    ['a role ARN with a path or a name outside IAM\'s grammar', finding({ roles: ['arn:aws:iam::123456789012:role/team/app-server-role', 'arn:aws:iam::123456789012:role/a b'] })],
    ['text before a role ARN', finding({ roles: [`x${ROLE_A}`] })],
  ])('handles nothing and calls IAM not at all for %s', async (_why, d) => {
    roles('app-server-role');

    const out = await revokeFindingRoleSessions(d, deps());

    expect(out).toEqual({ handled: [], contained: [], open: [] });
    expect(iam).not.toHaveReceivedAnyCommand();
  });

  it('a throttled GetRole is a transient failure: nothing is written and the invocation fails', async () => {
    roles('app-server-role');
    iam.on(GetRoleCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(revokeFindingRoleSessions(finding(), deps())).rejects.toBeInstanceOf(TransientAwsError);
    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
  });
});

describe('revokeFindingRoleSessions: what people are told', () => {
  it('a service-linked role: refused at the plan, with the commands to check it and none to revoke (AWS refuses it)', async () => {
    roles('app-server-role');
    iam.on(GetRoleCommand, { RoleName: 'app-server-role' }).resolves({ Role: { RoleName: 'app-server-role', Path: '/aws-service-role/ec2.amazonaws.com/', Arn: ROLE_A, RoleId: 'AROAEXAMPLE', CreateDate: new Date(0) } });

    const out = await revokeFindingRoleSessions(finding(), deps());

    expect(out.open).toEqual([
      {
        reason: 'role-sessions',
        about: `role ${ROLE_A}`,
        finding: 'the temporary credentials ASIAEXAMPLESESSION01 belong to this role; its sessions were not revoked (role app-server-role is a service-linked role: its sessions cannot be revoked and the responder never changes one). A person must decide; no access key was changed. ' + SEEN('app-server-role'),
        commands: ['aws iam get-role --role-name app-server-role', 'aws cloudtrail lookup-events --region us-east-1 --lookup-attributes AttributeKey=ResourceName,AttributeValue=app-server-role'],
      },
    ]);
  });

  it('a role IAM no longer knows: nothing to revoke, and no undo', async () => {
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: 'no such role', $metadata: {} }));

    const out = await revokeFindingRoleSessions(finding(), deps());

    expect(out.contained).toEqual([`Nothing to revoke: role app-server-role no longer exists: nothing of it can be used. ${SEEN('app-server-role')}`]);
  });

  it('names every temporary credential of the finding', async () => {
    roles('app-server-role');
    iam.on(PutRolePolicyCommand).rejects(awsError('AccessDenied', 'denied', 403));
    const d = finding({ unusableKeys: [{ value: 'ASIAEXAMPLESESSION01', reason: 'temporary-credentials' }, { value: 'ASIAEXAMPLESESSION02', reason: 'temporary-credentials' }] });

    const out = await revokeFindingRoleSessions(d, deps());

    expect(out.open[0].finding.startsWith('the temporary credentials ASIAEXAMPLESESSION01, ASIAEXAMPLESESSION02 belong to this role;')).toBe(true);
  });

  it('revokes all the same when the finding has no ARN, and says the finding type is all it named', async () => {
    const put = roles('app-server-role');
    const { eventArn: _none, ...withoutArn } = finding();

    const out = await revokeFindingRoleSessions(withoutArn, deps());

    expect(put.get('app-server-role')).toBe(DOCUMENT);
    expect(out.contained[0]).toContain(
      'Seen: role arn:aws:iam::123456789012:role/app-server-role assumed: GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS at 2026-11-20T09:58:00Z in an unnamed region, by ASIAEXAMPLESESSION01 (event UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS). Undo:',
    );
  });

  it('names the region of the finding\'s ARN, not the account\'s', async () => {
    roles('app-server-role');
    const d = finding({ eventArn: 'arn:aws:guardduty:ap-southeast-2:123456789012:detector/d/finding/g' });

    const out = await revokeFindingRoleSessions(d, deps());

    expect(out.contained[0]).toContain(' in ap-southeast-2, by ASIAEXAMPLESESSION01 (event arn:aws:guardduty:ap-southeast-2:123456789012:detector/d/finding/g). Undo:');
  });

  it('a throttled GetRole fails the invocation before the revoke is planned, naming the call', async () => {
    roles('app-server-role');
    iam.on(GetRoleCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(revokeFindingRoleSessions(finding(), deps())).rejects.toMatchObject({ name: 'TransientAwsError', message: 'GetRole app-server-role: Throttling: Rate exceeded' });
  });
});

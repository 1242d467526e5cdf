// GuardDuty findings about temporary credentials (ASIA...): the dispatcher revokes the sessions of
// the role they belong to, with the published ASIA sample (test/fixtures/guardduty).
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetRoleCommand, GetRolePolicyCommand, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { dispatch } from '../../../lambdas/dispatcher/dispatch';
import { parseProtectedPrincipals, protectionCheck } from '../../../lambdas/shared/protection';
import { deps, iam, published, resetAws, sfn } from './fixtures';

const SAMPLE = path.join(__dirname, '..', '..', 'fixtures', 'guardduty', 'asia-instance-credential-exfiltration-outside-aws.json');
const asiaFinding = () => JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, any>;

/** NOW (10:00:00.000Z) plus the revocation margin of five minutes, the footholds step's document. */
const REVOKE_DOCUMENT =
  '{"Version":"2012-10-17","Statement":[{"Sid":"RevokeOlderSessions","Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"2026-11-20T10:05:00.000Z"}}}]}';
const UNDO = 'aws iam delete-role-policy --role-name app-server-role --policy-name AWSRevokeOlderSessions';
const ROLE_COMMANDS = new Set(['GetRoleCommand', 'GetRolePolicyCommand', 'PutRolePolicyCommand']);

const noSuchEntity = () => new NoSuchEntityException({ message: 'The role policy cannot be found.', $metadata: { httpStatusCode: 404 } });

/** A role of the account, with its inline policies as IAM would keep them. */
function role(facts: { path?: string; tags?: Array<{ Key: string; Value: string }> } = {}): Map<string, string> {
  const policies = new Map<string, string>();
  iam.on(GetRoleCommand, { RoleName: 'app-server-role' }).resolves({
    Role: { RoleName: 'app-server-role', Path: facts.path ?? '/', Arn: 'arn:aws:iam::123456789012:role/app-server-role', RoleId: 'AROAEXAMPLEROLEID0001', CreateDate: new Date(0), Tags: facts.tags },
  });
  iam.on(GetRolePolicyCommand).callsFake(async (input: { PolicyName: string }) => {
    const doc = policies.get(input.PolicyName);
    if (doc === undefined) throw noSuchEntity();
    return { RoleName: 'app-server-role', PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(doc) };
  });
  iam.on(PutRolePolicyCommand).callsFake(async (input: { PolicyName: string; PolicyDocument: string }) => {
    policies.set(input.PolicyName, input.PolicyDocument);
    return {};
  });
  return policies;
}

const iamCalls = () => iam.calls().map((c) => c.args[0].constructor.name);

beforeEach(() => resetAws());

describe('dispatch: a GuardDuty finding about temporary credentials (ASIA...)', () => {
  it('revokes the sessions of the role they belong to, with the footholds step\'s document, and tells people what was done and how to undo it', async () => {
    const policies = role();

    const result = await dispatch(asiaFinding(), deps());

    expect(iam).toHaveReceivedCommandTimes(PutRolePolicyCommand, 1);
    expect(iam).toHaveReceivedCommandWith(PutRolePolicyCommand, { RoleName: 'app-server-role', PolicyName: 'AWSRevokeOlderSessions', PolicyDocument: REVOKE_DOCUMENT });
    expect(policies.get('AWSRevokeOlderSessions')).toBe(REVOKE_DOCUMENT);
    expect(sfn).not.toHaveReceivedAnyCommand();
    expect(result.started).toEqual([]);
    const [message] = published();
    expect(message.subject).toBe('[CONTAINED] temporary credentials reported in 123456789012: role sessions revoked');
    expect(message.message).toContain('The responder revoked the sessions of the role they belong to');
    expect(message.message).toContain('No access key was changed.');
    expect(message.message).toContain(
      '- Revoked: deny every session of role app-server-role issued before 2026-11-20T10:05:00.000Z (inline policy AWSRevokeOlderSessions, the console\'s "Revoke active sessions") (read back: 2026-11-20T10:05:00.000Z).',
    );
    expect(message.message).toContain(`Undo: ${UNDO}`);
    expect(message.message).not.toContain('Revoke the role\'s active sessions by hand');
    expect(result.notified.map((n) => n.reason)).toEqual(['contained']);
  });

  it('returns what it did, with its undo, and lists neither the role nor the credentials as left to people', async () => {
    role();

    const result = await dispatch(asiaFinding(), deps());

    expect(result.notified).toEqual([
      {
        reason: 'contained',
        subject: '[CONTAINED] temporary credentials reported in 123456789012: role sessions revoked',
        items: [],
        done: [
          `Revoked: deny every session of role app-server-role issued before 2026-11-20T10:05:00.000Z (inline policy AWSRevokeOlderSessions, the console's "Revoke active sessions") (read back: 2026-11-20T10:05:00.000Z). Seen: role arn:aws:iam::123456789012:role/app-server-role assumed: GuardDuty UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS at 2022-01-13T00:00:47Z in us-east-1, by ASIAEXAMPLESESSION01 (event arn:aws:guardduty:us-east-1:123456789012:detector/123456789012/finding/30bf285e52a1e405084ff6ec28e06e17). Undo: ${UNDO}`,
        ],
        messageId: 'msg-1',
      },
    ]);
    expect(result.skipped).toEqual([]);
    expect(published()[0].message).toContain('Sample: GuardDuty marks this finding as a sample (generated, not real activity); the responder acted on it as on any finding');
  });

  it('never touches an access key: only the role is read and written', async () => {
    role();

    await dispatch(asiaFinding(), deps());

    expect(iamCalls().filter((name) => !ROLE_COMMANDS.has(name))).toEqual([]);
  });

  it('says the sessions were already revoked when a revoke as late is in place, and writes nothing', async () => {
    const policies = role();
    policies.set('AWSRevokeOlderSessions', REVOKE_DOCUMENT.replace('10:05:00', '11:00:00'));

    await dispatch(asiaFinding(), deps());

    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(published()[0].message).toContain('- Already revoked: sessions of role app-server-role were already revoked before 2026-11-20T11:00:00.000Z');
  });

  it('refuses a service-linked role: nothing is written, people are told with the commands to check it', async () => {
    role({ path: '/aws-service-role/ec2.amazonaws.com/' });

    const result = await dispatch(asiaFinding(), deps());

    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    const [message] = published();
    expect(message.subject).toBe('[UNRESOLVED] exposed-key report in 123456789012 names no key the responder can contain');
    expect(message.message).toContain('1. role arn:aws:iam::123456789012:role/app-server-role: the temporary credentials ASIAEXAMPLESESSION01 belong to this role; its sessions were not revoked (role app-server-role is a service-linked role');
    expect(message.message).toContain('   $ aws iam get-role --role-name app-server-role');
    expect(result.skipped.map((s) => s.reason)).toEqual(['role-sessions']);
  });

  it('refuses a role of PROTECTED_ROLES: nothing is written, the message gives the exact command to revoke by hand', async () => {
    role();
    const protection = protectionCheck(parseProtectedPrincipals([]), parseProtectedPrincipals(['app-server-role'], 'role'));

    await dispatch(asiaFinding(), deps({ roleSessions: { dryRun: false, protection } }));

    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    const [message] = published();
    expect(message.subject).toMatch(/^\[UNRESOLVED\]/);
    expect(message.message).toContain('role app-server-role is protected');
    expect(message.message).toContain(`   $ aws iam put-role-policy --role-name app-server-role --policy-name AWSRevokeOlderSessions --policy-document '${REVOKE_DOCUMENT}'`);
  });

  it('refuses a role carrying the protection tag (read from IAM): nothing is written', async () => {
    role({ tags: [{ Key: 'exposed-key-responder:protected', Value: 'true' }] });

    await dispatch(asiaFinding(), deps());

    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(published()[0].message).toContain('role app-server-role is protected');
  });

  it('in a dry run writes nothing and says what it would have done', async () => {
    role();
    const protection = protectionCheck(parseProtectedPrincipals([]), parseProtectedPrincipals([], 'role'));

    await dispatch(asiaFinding(), deps({ roleSessions: { dryRun: true, protection } }));

    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    const [message] = published();
    expect(message.subject).toMatch(/^\[UNRESOLVED\]/);
    expect(message.message).toContain('dry run, nothing was changed: would deny every session of role app-server-role issued before 2026-11-20T10:05:00.000Z');
  });

  it('a role IAM does not know: nothing is written, and it is said', async () => {
    role();
    const event = asiaFinding();
    event.detail.resource.accessKeyDetails.userName = 'gone-role';
    iam.on(GetRoleCommand, { RoleName: 'gone-role' }).rejects(noSuchEntity());

    await dispatch(event, deps());

    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(published()[0].message).toContain('- Nothing to revoke: role gone-role no longer exists: nothing of it can be used.');
  });

  it('temporary credentials whose finding names no role are left to people, as before: nothing is written', async () => {
    role();
    const event = asiaFinding();
    event.detail.resource.accessKeyDetails.userName = 'not a role name!';

    await dispatch(event, deps());

    expect(iam).not.toHaveReceivedCommand(PutRolePolicyCommand);
    expect(published()[0].subject).toMatch(/^\[UNRESOLVED\]/);
    expect(published()[0].message).toContain('credential ASIAEXAMPLESESSION01');
  });
});

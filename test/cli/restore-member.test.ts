// restore of an incident of a member account (organization mode): the record is central, the
// changes are undone in the member account only, with credentials the operator gives for it.
import { DeleteUserPolicyCommand, DetachUserPolicyCommand, GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { AssumeRoleCommand, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsError, body, cli, forAccountCalls, iam, resetMocks, s3, sns, sts } from './harness';
import { aRecord, INCIDENT, KEY, REVOKE_DOC } from './record';

const MEMBER = '444455556666';
const MEMBER_QUARANTINE = `arn:aws:iam::${MEMBER}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`;
const SESSION = `arn:aws:sts::${MEMBER}:assumed-role/OpsRestore/exposed-key-responder-restore-${INCIDENT}`;

/** report.json of the member account's incident, as the central workflow writes it. */
function memberRecord() {
  const record = aRecord();
  return {
    ...record,
    incident: { ...record.incident, accountId: MEMBER },
    containment: record.containment.map((c) => ({
      ...c,
      changes: c.changes.map((ch) => (ch.kind === 'managed-policy' ? { ...ch, policyArn: MEMBER_QUARANTINE } : ch)),
    })),
  };
}

/** The member account's IAM as the response left it. */
function containedInMember() {
  iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
  iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent(REVOKE_DOC) } as never);
  iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: MEMBER_QUARANTINE }] });
}

function assumable() {
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIAMEMBERSESSION001', SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date('2026-11-20T11:10:00Z') },
    AssumedRoleUser: { Arn: SESSION, AssumedRoleId: 'AROAEXAMPLE:restore' },
  });
}

/** The access key id every IAM call of the run was signed with. */
async function iamCallers(): Promise<string[]> {
  return Promise.all(iam.calls().map(async (c) => (await (c.thisValue as IAMClient).config.credentials()).accessKeyId));
}

beforeEach(() => {
  resetMocks();
  s3.on(GetObjectCommand).resolves(body(JSON.stringify(memberRecord())));
});

describe('restore of a member account\'s incident', () => {
  it('assumes the role named in the record\'s account, undoes the changes there with that session only, and records where and as whom', async () => {
    containedInMember();
    assumable();

    const r = await cli(['restore', INCIDENT, '--yes', '--member-role', 'OpsRestore']);

    expect(r.code).toBe(0);
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([{ RoleArn: `arn:aws:iam::${MEMBER}:role/OpsRestore`, RoleSessionName: `exposed-key-responder-restore-${INCIDENT}` }]);
    expect(iam.commandCalls(DeleteUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-RevokeOlderSessions' }]);
    expect(iam.commandCalls(DetachUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: 'ci-deploy', PolicyArn: MEMBER_QUARANTINE }]);
    expect(new Set(await iamCallers())).toEqual(new Set(['ASIAMEMBERSESSION001']));
    const [put] = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(JSON.parse(String(put.Body))).toMatchObject({ status: 'restored', accountId: MEMBER, by: SESSION, userName: 'ci-deploy' });
    expect(String(sns.commandCalls(PublishCommand)[0].args[0].input.Message)).toContain(`user ci-deploy of account ${MEMBER} was undone by ${SESSION}`);
    expect(r.stdout).toContain(`restored incident ${INCIDENT} (user ci-deploy of account ${MEMBER}):`);
  });

  it('refuses, reading and changing nothing in any account, when the role cannot be assumed', async () => {
    containedInMember();
    sts.on(AssumeRoleCommand).rejects(awsError('AccessDenied', `User: arn:aws:iam::123456789012:user/oncall is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${MEMBER}:role/OpsRestore`));

    const r = await cli(['restore', INCIDENT, '--yes', '--member-role', 'OpsRestore', '--json']);

    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('RestoreRefused');
    expect(r.json().error.message).toContain(`nothing was changed: the incident is of account ${MEMBER} and restore acts there only; your credentials could not assume arn:aws:iam::${MEMBER}:role/OpsRestore (AccessDenied`);
    expect(iam.calls()).toHaveLength(0);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
  });

  it('refuses without credentials for the member account, never falling back to the operator\'s own account, and says what it needs', async () => {
    containedInMember();

    const r = await cli(['restore', INCIDENT, '--yes']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`--member-role <a role of account ${MEMBER} your credentials may assume, e.g. OrganizationAccountAccessRole> or --member-profile <an AWS CLI profile of account ${MEMBER}>`);
    expect(r.stderr).toContain('Not exposed-key-responder-member: it trusts only the responder\'s Lambdas');
    expect(iam.calls()).toHaveLength(0);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('refuses a profile whose credentials are of another account, before reading IAM', async () => {
    containedInMember();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:sts::123456789012:assumed-role/Admin/oncall' });

    const r = await cli(['restore', INCIDENT, '--yes', '--member-profile', 'prod-admin']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`profile prod-admin signs in account 123456789012 (arn:aws:sts::123456789012:assumed-role/Admin/oncall), not ${MEMBER}`);
    expect(forAccountCalls).toEqual([{ profile: 'prod-admin' }]);
    expect(iam.calls()).toHaveLength(0);
  });

  it('acts with a profile of the member account', async () => {
    containedInMember();
    sts.on(GetCallerIdentityCommand).resolves({ Account: MEMBER, Arn: `arn:aws:sts::${MEMBER}:assumed-role/AWSReservedSSO_Admin/oncall` });

    const r = await cli(['restore', INCIDENT, '--yes', '--member-profile', 'member-admin', '--json']);

    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ status: 'restored', accountId: MEMBER, by: `arn:aws:sts::${MEMBER}:assumed-role/AWSReservedSSO_Admin/oncall` });
    expect(iam.commandCalls(DetachUserPolicyCommand).map((c) => c.args[0].input.PolicyArn)).toEqual([MEMBER_QUARANTINE]);
  });

  it('refuses a record whose quarantine is not the member stack\'s policy of that account', async () => {
    const record = memberRecord();
    record.containment[2].changes = [{ kind: 'managed-policy', userName: 'ci-deploy', policyArn: 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponderQuarantine', attachedBefore: false }] as never;
    s3.on(GetObjectCommand).resolves(body(JSON.stringify(record)));
    containedInMember();
    assumable();

    const r = await cli(['restore', INCIDENT, '--yes', '--member-role', 'OpsRestore']);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('is not this stack\'s quarantine policy: refused');
    expect(iam.commandCalls(DeleteUserPolicyCommand)).toHaveLength(0);
  });

  it('refuses a record that does not say its account (or says a malformed one), changing nothing', async () => {
    const record = memberRecord();
    s3.on(GetObjectCommand).resolves(body(JSON.stringify({ ...record, incident: { ...record.incident, accountId: '4444-5555-6666' } })));
    assumable();

    const r = await cli(['restore', INCIDENT, '--yes', '--member-role', 'OpsRestore', '--json']);

    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('UnreadableRecord');
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('does not use --member-role for an incident of the responder\'s own account, and says so', async () => {
    s3.on(GetObjectCommand).resolves(body(JSON.stringify(aRecord())));
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY, Status: 'Inactive' }] });
    iam.on(GetUserPolicyCommand).resolves({ PolicyDocument: encodeURIComponent(REVOKE_DOC) } as never);
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });

    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/oncall' });

    const r = await cli(['restore', INCIDENT, '--yes', '--member-role', 'OpsRestore']);

    expect(r.code).toBe(0);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    expect(r.stderr).toContain(`--member-role/--member-profile not used: incident ${INCIDENT} is of the responder's own account 123456789012`);
  });

  it('takes one of --member-role and --member-profile, a role name not an ARN: otherwise unusable input', async () => {
    expect((await cli(['restore', INCIDENT, '--yes', '--member-role', 'A', '--member-profile', 'p'])).code).toBe(2);
    expect((await cli(['restore', INCIDENT, '--yes', '--member-role', `arn:aws:iam::${MEMBER}:role/OpsRestore`])).code).toBe(2);
    expect(sts.calls()).toHaveLength(0);
  });
});

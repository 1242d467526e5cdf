import { PutRolePolicyCommand, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { summarize } from '../../../lambdas/footholds/contain';
import { FootholdContainmentSchema, FootholdsSchema, FOOTHOLD_READ_ACTIONS, FOOTHOLD_ROLE_WRITE_ACTIONS, FOOTHOLD_STOP_ACTIONS, FOOTHOLD_USER_WRITE_ACTIONS } from '../../../lambdas/footholds/contract';
import { ContainmentNotVerifiedError, TransientAwsError } from '../../../lambdas/shared/errors';
import { ACCOUNT_ID, awsError, KEY_ID } from '../helpers';
import { FakeAccount } from './fake-account';
import { findFootholds } from '../../../lambdas/footholds/find';
import { contain, incident, QUARANTINE_ARN, result, REVOKE_DOC } from './harness';
import { calls, iam, ROLE_SESSION_KEY } from './trail';

const MINER = 'i-0miner0000000001';
const IN_ACCOUNT_TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'sts:AssumeRole' }] });

/** Every kind of foothold the executor acts on, all made by the leaked key. */
function attack(): unknown[] {
  return [
    calls.createUser('support-admin'),
    calls.createAccessKey('support-admin', 'AKIA3BACKDOORKEY0001'),
    calls.createLoginProfile('support-admin'),
    calls.createAccessKey(undefined, 'AKIA3SECONDCIKEY0002'),
    iam('UpdateLoginProfile', { userName: 'alice', passwordResetRequired: false }),
    calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, ROLE_SESSION_KEY),
    iam('CreateRole', { roleName: 'ops-support', assumeRolePolicyDocument: IN_ACCOUNT_TRUST }, { role: { roleName: 'ops-support', path: '/' } }),
    iam('CreateServiceSpecificCredential', { userName: 'support-admin', serviceName: 'bedrock.amazonaws.com' }, {
      serviceSpecificCredential: { serviceName: 'bedrock.amazonaws.com', serviceSpecificCredentialId: 'ACCAEXAMPLEBEDROCK01', userName: 'support-admin', status: 'Active' },
    }),
    calls.runInstances('eu-west-1', MINER, 'c5.24xlarge'),
  ];
}

let account: FakeAccount;

beforeEach(() => {
  account = new FakeAccount(
    {
      'ci-deploy': { keys: { [KEY_ID]: 'Inactive', AKIA3SECONDCIKEY0002: 'Active' } },
      'support-admin': { keys: { AKIA3BACKDOORKEY0001: 'Active' }, loginProfile: true, serviceCredentials: { ACCAEXAMPLEBEDROCK01: 'Active' } },
      alice: { keys: { AKIAALICEPERSONAL001: 'Active' }, loginProfile: true },
    },
    { deploy: {}, 'ops-support': {} },
  );
  account.instances.set(`eu-west-1 ${MINER}`, 'running');
});

afterEach(() => account.restore());

/** The account's state that containment changes. */
function state() {
  const u = (name: string) => account.users.get(name)!;
  return {
    keys: { ...u('ci-deploy').keys, ...u('support-admin').keys, ...u('alice').keys },
    loginProfiles: { 'support-admin': u('support-admin').loginProfile, alice: u('alice').loginProfile },
    supportAdminInline: Object.keys(u('support-admin').inline),
    supportAdminAttached: u('support-admin').attached,
    credentials: u('support-admin').serviceCredentials,
    roles: { deploy: Object.keys(account.roles.get('deploy')!.inline), 'ops-support': Object.keys(account.roles.get('ops-support')!.inline).sort() },
    miner: account.instances.get(`eu-west-1 ${MINER}`),
  };
}

const CONTAINED = {
  keys: { [KEY_ID]: 'Inactive', AKIA3SECONDCIKEY0002: 'Inactive', AKIA3BACKDOORKEY0001: 'Inactive', AKIAALICEPERSONAL001: 'Active' },
  loginProfiles: { 'support-admin': false, alice: false },
  supportAdminInline: ['ExposedKeyResponder-RevokeOlderSessions'],
  supportAdminAttached: [QUARANTINE_ARN],
  credentials: { ACCAEXAMPLEBEDROCK01: 'Inactive' },
  roles: { deploy: ['AWSRevokeOlderSessions'], 'ops-support': ['AWSRevokeOlderSessions', 'ExposedKeyResponder-Quarantine'] },
  miner: 'stopping',
};

describe('containFootholds: the whole plan', () => {
  it('contains every foothold, four actions at a time, and says contained only then', async () => {
    const out = await contain(attack(), { stopLaunchedInstances: true }, 4);

    expect(state()).toEqual(CONTAINED);
    expect(out.summary).toEqual({ contained: true, containedCount: 12, open: [] });
  });

  it('in a dry run, plans all of it, says what it would do and changes nothing', async () => {
    const before = state();

    const out = await contain(attack(), { dryRun: true, stopLaunchedInstances: true });

    expect(state()).toEqual(before);
    expect(account.writes).toEqual([]);
    expect(account.iamMock.calls()).toHaveLength(0);
    expect(account.ec2Mock.calls()).toHaveLength(0);
    expect(out.results.map((r) => r.status)).toEqual(Array(12).fill('dry-run'));
    expect(result(out, 'deactivate-key support-admin AKIA3BACKDOORKEY0001')).toMatchObject({
      detail: 'would set access key AKIA3BACKDOORKEY0001 of user support-admin Inactive',
      command: 'aws iam update-access-key --user-name support-admin --access-key-id AKIA3BACKDOORKEY0001 --status Inactive',
    });
    expect(out.results.filter((r) => r.undo !== undefined)).toEqual([]);
    expect(out.summary.contained).toBe(false);
  });

  it('run again, changes nothing twice and finds everything in place', async () => {
    await contain(attack(), { stopLaunchedInstances: true });
    const written = account.writes.length;

    const again = await contain(attack(), { stopLaunchedInstances: true });

    expect(account.writes.slice(written)).toEqual([]);
    expect(state()).toEqual(CONTAINED);
    expect(again.results.map((r) => r.status)).toEqual(Array(12).fill('already'));
    expect(again.summary.contained).toBe(true);
  });

  it("writes what the contract's schemas read back (the workflow state the wiring will carry)", async () => {
    const found = findFootholds(incident, attack());
    const out = await contain(attack(), { stopLaunchedInstances: true });

    expect(FootholdsSchema.safeParse(JSON.parse(JSON.stringify(found))).success).toBe(true);
    expect(FootholdContainmentSchema.safeParse(JSON.parse(JSON.stringify(out))).success).toBe(true);
  });

  it('calls only the actions the stack grants it', async () => {
    await contain(attack(), { stopLaunchedInstances: true });

    const used = [
      ...account.iamMock.calls().map((c) => `iam:${c.args[0].constructor.name.replace(/Command$/, '')}`),
      ...account.ec2Mock.calls().map((c) => `ec2:${c.args[0].constructor.name.replace(/Command$/, '')}`),
    ];
    const distinct = [...new Set(used)].sort();
    expect(distinct).toEqual([
      'ec2:StopInstances', 'iam:AttachUserPolicy', 'iam:DeleteLoginProfile', 'iam:GetRole', 'iam:GetRolePolicy', 'iam:GetUser', 'iam:GetUserPolicy',
      'iam:ListAccessKeys', 'iam:ListAttachedUserPolicies', 'iam:ListServiceSpecificCredentials', 'iam:PutRolePolicy', 'iam:PutUserPolicy',
      'iam:UpdateAccessKey', 'iam:UpdateServiceSpecificCredential',
    ]);
    const granted = [...FOOTHOLD_READ_ACTIONS, ...FOOTHOLD_USER_WRITE_ACTIONS, ...FOOTHOLD_ROLE_WRITE_ACTIONS, ...FOOTHOLD_STOP_ACTIONS];
    expect(distinct.filter((a) => !granted.includes(a))).toEqual([]);
  });

  it('says "already" for a principal deleted since CloudTrail saw it', async () => {
    account.users.delete('support-admin');

    const out = await contain([calls.createUser('support-admin')]);

    expect(out.results.map((r) => [r.status, r.detail, r.undo])).toEqual(Array(4).fill(['already', 'user support-admin no longer exists: nothing of it can be used', undefined]));
  });
});

describe('summarize', () => {
  it('never says contained when CloudTrail was not read whole: unreadable records, a bound that bit, a session not followed', () => {
    const out = summarize([], {
      records: { read: 3, unreadable: 1, tied: 2 },
      truncated: ['footholds: 400 found, the first 300 listed'],
      gaps: ['GetSessionToken at 2026-11-20T09:30:05.000Z (event e): the record does not say which session it returned'],
    });

    expect(out).toEqual({
      contained: false,
      containedCount: 0,
      open: [
        { what: 'not all footholds listed: footholds: 400 found, the first 300 listed' },
        { what: 'not followed: GetSessionToken at 2026-11-20T09:30:05.000Z (event e): the record does not say which session it returned' },
        { what: "1 CloudTrail record(s) could not be read: a foothold they prove would be missing here; read them in the incident's activity" },
      ],
    });
  });
});

describe('summarize: a long list', () => {
  it('leads with the first 49 open items and says how many more the record holds', () => {
    const results = Array.from({ length: 60 }, (_, i) => ({ id: `report ${i}`, action: 'report' as const, foothold: `f${i}`, status: 'open' as const, detail: `item ${i}`, command: `undo ${i}`, at: 'now' }));

    const out = summarize(results, { records: { read: 60, unreadable: 0, tied: 60 }, truncated: [], gaps: [] });

    expect(out.open).toHaveLength(50);
    expect(out.open[48]).toEqual({ what: 'open: item 48', command: 'undo 48' });
    expect(out.open[49]).toEqual({ what: 'and 11 more still open: see every result in the record' });
  });
});

describe('containFootholds: an action that fails', () => {
  it.each([
    ['UpdateAccessKey', 'AccessDenied', 'deactivate-key ci-deploy AKIA3SECONDCIKEY0002', 'aws iam update-access-key --user-name ci-deploy --access-key-id AKIA3SECONDCIKEY0002 --status Inactive'],
    ['PutUserPolicy', 'AccessDenied', 'revoke-user-sessions support-admin', `aws iam put-user-policy --user-name support-admin --policy-name ExposedKeyResponder-RevokeOlderSessions --policy-document '${JSON.stringify(REVOKE_DOC)}'`],
    ['AttachUserPolicy', 'AccessDenied', 'quarantine-user support-admin', `aws iam attach-user-policy --user-name support-admin --policy-arn ${QUARANTINE_ARN}`],
    ['DeleteLoginProfile', 'AccessDenied', 'delete-login-profile alice', 'aws iam delete-login-profile --user-name alice'],
    ['PutRolePolicy', 'AccessDenied', 'revoke-role-sessions deploy', `aws iam put-role-policy --role-name deploy --policy-name AWSRevokeOlderSessions --policy-document '${JSON.stringify(REVOKE_DOC)}'`],
    [
      'PutRolePolicy', 'AccessDenied', 'quarantine-role ops-support',
      `aws iam get-policy-version --policy-arn ${QUARANTINE_ARN} --version-id "$(aws iam get-policy --policy-arn ${QUARANTINE_ARN} --query Policy.DefaultVersionId --output text)" --query PolicyVersion.Document --output json > quarantine.json && aws iam put-role-policy --role-name ops-support --policy-name ExposedKeyResponder-Quarantine --policy-document file://quarantine.json`,
    ],
    ['UpdateServiceSpecificCredential', 'AccessDenied', 'deactivate-service-credential support-admin ACCAEXAMPLEBEDROCK01', 'aws iam update-service-specific-credential --user-name support-admin --service-specific-credential-id ACCAEXAMPLEBEDROCK01 --status Inactive'],
    ['StopInstances', 'UnauthorizedOperation', `stop-instance eu-west-1 ${MINER}`, `aws ec2 stop-instances --region eu-west-1 --instance-ids ${MINER}`],
  ])('%s failing (%s) is a result with its error code and the command to finish by hand; the rest is contained', async (operation, code, id, command) => {
    account.fail(operation, awsError(code, `User is not authorized to perform: ${operation}`, 403));

    const out = await contain(attack(), { stopLaunchedInstances: true });

    expect(result(out, id)).toMatchObject({ status: 'failed', errorCode: code, command });
    expect(result(out, id).detail).toMatch(new RegExp(`^could not .*: ${code}: User is not authorized to perform: ${operation}$`));
    expect(result(out, id).undo).toBeUndefined();
    expect(out.summary.contained).toBe(false);
    expect(out.summary.open).toContainEqual({ what: `failed: ${result(out, id).detail}`, command });
    expect(out.results.filter((r) => r.status === 'done').length).toBeGreaterThanOrEqual(5);
  });

  it('a transient failure is thrown for the workflow to retry after the rest is done; the retry redoes nothing', async () => {
    account.fail('PutRolePolicy', awsError('Throttling', 'Rate exceeded'), 1);

    await expect(contain(attack(), { stopLaunchedInstances: true })).rejects.toThrow(TransientAwsError);
    const written = account.writes.length;
    expect(written).toBe(10); // every write but the throttled one
    const retry = await contain(attack(), { stopLaunchedInstances: true });

    expect(account.writes.slice(written)).toEqual(['PutRolePolicy deploy AWSRevokeOlderSessions']);
    expect(state()).toEqual(CONTAINED);
    expect(retry.results.filter((r) => r.status === 'done')).toHaveLength(1);
    // What the first attempt did is "already" now, and the record still says how to undo it.
    expect(result(retry, 'deactivate-key support-admin AKIA3BACKDOORKEY0001')).toMatchObject({
      status: 'already',
      undo: 'aws iam update-access-key --user-name support-admin --access-key-id AKIA3BACKDOORKEY0001 --status Active',
    });
    expect(retry.summary.contained).toBe(true);
  });

  it('a revoke overwritten at once with an earlier time (another response) is left to the retry, which puts the later time back', async () => {
    const earlier = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2026-11-20T09:00:00.000Z' } } }] });
    let overwritten = false;
    account.iamMock.on(PutRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
      account.roles.get(input.RoleName)!.inline[input.PolicyName] = overwritten ? input.PolicyDocument : earlier;
      overwritten = true;
      return {};
    });
    const assumeDeploy = [calls.sts('AssumeRole', { roleArn: `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, roleSessionName: 'x' }, ROLE_SESSION_KEY)];

    await expect(contain(assumeDeploy)).rejects.toThrow(ContainmentNotVerifiedError);
    const retry = await contain(assumeDeploy);

    expect(JSON.parse(account.roles.get('deploy')!.inline.AWSRevokeOlderSessions)).toEqual(REVOKE_DOC);
    expect(retry.results[0].status).toBe('done');
  });

  it('a change that does not read back yet is thrown as ContainmentNotVerifiedError (IAM catching up), for the workflow to retry', async () => {
    account.iamMock.on(UpdateAccessKeyCommand).resolves({}); // accepted, not (yet) visible

    await expect(contain([calls.createAccessKey('support-admin', 'AKIA3BACKDOORKEY0001')])).rejects.toThrow(
      new ContainmentNotVerifiedError(
        'footholds: changed but not yet visible: deactivate-key support-admin AKIA3BACKDOORKEY0001: set access key AKIA3BACKDOORKEY0001 of user support-admin Inactive (read back: Active)',
      ),
    );
  });
});

// Following the attacker through the whole workflow (the ASL run locally against the simulated
// account): one test per kind of foothold the exposed key left, the account as it is afterwards and
// what the record and the email say.
import { DEFAULT_CONFIG, drill, EXPOSED, keyStatus, QUARANTINE_ARN, stackRules, trustedAdvisorEvent, userOf } from './helpers';
import { attackerScenario, BACKDOOR_KEY, CREDENTIAL, OTHER_ACCOUNT, RECORDS, SHADOW_KEY } from './footholds-scenarios';

beforeAll(() => {
  stackRules();
});

async function respond(cloudTrail: Array<Record<string, unknown>>, config = DEFAULT_CONFIG, extra = {}) {
  const result = await drill(attackerScenario(cloudTrail, extra), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], config);
  const { output } = result;
  const report = output.report as Record<string, any>;
  const email = output.notifications.find((n) => n.channel === 'email')!;
  const results = (report.footholds?.results ?? []) as Array<{ id: string; status: string; detail: string; undo?: string; command?: string }>;
  return { ...result, output, report, email, results, statuses: results.map((r) => `${r.id}: ${r.status}`) };
}

const roleOf = (output: { account: { roles: Array<{ roleName: string; inlinePolicies: Record<string, unknown> }> } }, name: string) =>
  output.account.roles.find((r) => r.roleName === name)!;

describe('ContainFootholds in the workflow', () => {
  it('sets a key the exposed key created Inactive, says so with the command that undoes it; contained', async () => {
    const { output, report, email, statuses } = await respond([RECORDS.createdKey()]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(keyStatus(output, 'shadow', SHADOW_KEY)).toBe('Inactive');
    expect(statuses).toEqual([`deactivate-key shadow ${SHADOW_KEY}: done`]);
    expect(report.timeline.map((t: { event: string }) => t.event)).toContain(`Foothold contained: set access key ${SHADOW_KEY} of user shadow Inactive (read back: Inactive)`);
    expect(report).toMatchObject({ outcome: 'contained', complete: true, stillOpen: [] });
    expect(report.undo).toContainEqual({
      what: `Only if it is legitimate, undo: set access key ${SHADOW_KEY} of user shadow Inactive (read back: Inactive).`,
      command: `aws iam update-access-key --user-name shadow --access-key-id ${SHADOW_KEY} --status Active`,
    });
    expect(email.subject).toBe(`[CONTAINED] Exposed key ${EXPOSED} (ci-deploy) in 123456789012`);
    expect(email.body).toContain('Footholds contained (1), each with the command that undoes it:');
    expect(email.body).toContain(`set access key ${SHADOW_KEY} of user shadow Inactive (read back: Inactive)`);
  });

  it('revokes, quarantines and disarms a user the exposed key created: its keys Inactive, its console password deleted', async () => {
    const { output, report, statuses } = await respond([RECORDS.createdUser()]);

    const backdoor = userOf(output, 'backdoor') as ReturnType<typeof userOf> & { loginProfile: boolean };
    expect(backdoor.accessKeys).toEqual([expect.objectContaining({ accessKeyId: BACKDOOR_KEY, status: 'Inactive' })]);
    expect(Object.keys(backdoor.inlinePolicies)).toEqual(['ExposedKeyResponder-RevokeOlderSessions']);
    expect(backdoor.attachedPolicyArns).toEqual([QUARANTINE_ARN]);
    expect(backdoor.loginProfile).toBe(false);
    expect(statuses).toEqual([
      'deactivate-user-keys backdoor: done',
      'revoke-user-sessions backdoor: done',
      'quarantine-user backdoor: done',
      'delete-login-profile backdoor: done',
    ]);
    expect(report.outcome).toBe('contained');
    expect(report.undo.map((u: { command?: string }) => u.command)).toEqual(expect.arrayContaining([
      'aws iam delete-user-policy --user-name backdoor --policy-name ExposedKeyResponder-RevokeOlderSessions',
      `aws iam detach-user-policy --user-name backdoor --policy-arn ${QUARANTINE_ARN}`,
      "give the legitimate owner a new password (never the old one): aws iam create-login-profile --user-name backdoor --password-reset-required --password '<a new temporary password, sent to the owner>'",
    ]));
  });

  it('deletes a console password the exposed key made for an existing user, and says how to give the owner a new one', async () => {
    const { output, report, email } = await respond([RECORDS.loginProfile()]);

    expect((userOf(output, 'bob') as unknown as { loginProfile: boolean }).loginProfile).toBe(false);
    expect(report.outcome).toBe('contained');
    expect(email.body).toContain("delete the console password of user bob (an attacker's password is never legitimate)");
    expect(email.body).toContain("aws iam create-login-profile --user-name bob --password-reset-required --password '<a new temporary password, sent to the owner>'");
  });

  it('revokes the sessions of a role of this account the exposed key assumed (the console\'s "Revoke active sessions")', async () => {
    const { output, report, statuses } = await respond([RECORDS.assumedRole()]);

    const policy = roleOf(output, 'deploy').inlinePolicies.AWSRevokeOlderSessions as { Statement: Array<Record<string, any>> };
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Action: '*', Resource: '*' })]);
    expect(Date.parse(policy.Statement[0].Condition.DateLessThan['aws:TokenIssueTime'])).toBeGreaterThan(Date.now());
    expect(statuses).toEqual(['revoke-role-sessions deploy: done']);
    expect(report.outcome).toBe('contained');
    expect(report.undo).toContainEqual(expect.objectContaining({ command: 'aws iam delete-role-policy --role-name deploy --policy-name AWSRevokeOlderSessions' }));
  });

  it('names another account\'s role the exposed key assumed as ACTION REQUIRED, with the command for that account; contained with gaps', async () => {
    const { output, report, email } = await respond([RECORDS.externalRole()]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.headline).toBe('Exposed access key contained, with gaps: 1 thing the key created or assumed still open');
    expect(report.stillOpen).toEqual([{
      what: expect.stringMatching(new RegExp(`^ACTION REQUIRED: the leaked key assumed role arn:aws:iam::${OTHER_ACCOUNT}:role/partner-admin of account ${OTHER_ACCOUNT}; the owner of account ${OTHER_ACCOUNT} must revoke its sessions issued before `)),
      command: expect.stringMatching(new RegExp(`^in account ${OTHER_ACCOUNT}: aws iam put-role-policy --role-name partner-admin --policy-name AWSRevokeOlderSessions --policy-document `)),
    }]);
    const lines = email.body.split('\n');
    expect(email.subject).toBe(`[CONTAINED WITH GAPS] Exposed key ${EXPOSED} (ci-deploy) in 123456789012`);
    expect(lines[0]).toBe('Exposed access key contained, with gaps: 1 thing the key created or assumed still open');
    expect(lines[2]).toBe('Still open, do this first:');
    expect(lines[3]).toMatch(new RegExp(`^ {2}1\\. ACTION REQUIRED: the leaked key assumed role arn:aws:iam::${OTHER_ACCOUNT}:role/partner-admin`));
    const slack = output.notifications.find((n) => n.channel === 'slack');
    expect(slack).toBeUndefined(); // no webhook configured: the email says it all
  });

  it('revokes and quarantines a role the exposed key created, and reports whom its trust names', async () => {
    const { output, report, statuses } = await respond([RECORDS.createdRole()]);

    expect(Object.keys(roleOf(output, 'escape').inlinePolicies).sort()).toEqual(['AWSRevokeOlderSessions', 'ExposedKeyResponder-Quarantine']);
    expect(statuses).toEqual(['revoke-role-sessions escape: done', 'quarantine-role escape: done', 'action-required trust escape: open']);
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.stillOpen).toEqual([{
      what: `role escape trusts arn:aws:iam::${OTHER_ACCOUNT}:root: new sessions are quarantined, not denied; delete the role once its evidence is kept`,
      command: 'aws iam list-role-policies --role-name escape; aws iam list-attached-role-policies --role-name escape; then delete or detach each, and aws iam delete-role --role-name escape',
    }]);
  });

  it('sets a service-specific credential the exposed key created Inactive', async () => {
    const { output, report } = await respond([RECORDS.serviceCredential()]);

    const bob = userOf(output, 'bob') as unknown as { serviceSpecificCredentials: Array<{ serviceSpecificCredentialId: string; status: string }> };
    expect(bob.serviceSpecificCredentials).toEqual([expect.objectContaining({ serviceSpecificCredentialId: CREDENTIAL, status: 'Inactive' })]);
    expect(report.outcome).toBe('contained');
    expect(report.undo).toContainEqual(expect.objectContaining({ command: `aws iam update-service-specific-credential --user-name bob --service-specific-credential-id ${CREDENTIAL} --status Active` }));
  });

  it('reports an instance the exposed key launched as ACTION REQUIRED with its stop command, snapshotted and left running', async () => {
    const { output, report, email } = await respond([RECORDS.instance()]);

    expect((output.account as any).instances).toEqual([{ region: 'eu-west-1', instanceId: 'i-0miner', state: 'running' }]);
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0miner']);
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.stillOpen).toEqual([{
      what: expect.stringMatching(/^ACTION REQUIRED: instance i-0miner \(c5\.24xlarge, eu-west-1, launched .*, from 203\.0\.113\.9\) is not stopped \(stopLaunchedInstances is off\): stop it if it is not yours$/),
      command: 'aws ec2 stop-instances --region eu-west-1 --instance-ids i-0miner',
    }]);
    expect(email.body).toContain('ACTION REQUIRED, footholds still open:');
  });

  it('with stopLaunchedInstances=true: snapshots the instance first, then stops it; contained', async () => {
    const { output, report, drill: d } = await respond([RECORDS.instance()], { ...DEFAULT_CONFIG, stopLaunchedInstances: true });

    expect((output.account as any).instances).toEqual([{ region: 'eu-west-1', instanceId: 'i-0miner', state: 'stopped' }]);
    const ec2 = d.account.calls.filter((c) => c.operation === 'CreateSnapshots' || c.operation === 'StopInstances').map((c) => c.operation);
    expect(ec2).toEqual(['CreateSnapshots', 'StopInstances']);
    expect(report.outcome).toBe('contained');
    expect(report.undo).toContainEqual(expect.objectContaining({ command: expect.stringContaining('aws ec2 start-instances --region eu-west-1 --instance-ids i-0miner') }));
    // Described running by the evidence step, then stopped: it no longer counts as running.
    expect(report.costExposure).toMatchObject({ running: 0, instances: [expect.objectContaining({ instanceId: 'i-0miner', state: 'stopped by the responder' })] });
  });
});

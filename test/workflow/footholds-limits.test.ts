// What following the attacker never does, through the whole workflow (the ASL run locally): touch
// what CloudTrail does not tie to the key, change a service-linked role, change anything in a dry
// run; and what a failed foothold action leaves in the record.
import { DEFAULT_CONFIG, drill, EXPOSED, keyStatus, stackRules, trustedAdvisorEvent, userOf } from './helpers';
import { attackerScenario, byAlice, RECORDS, SHADOW_KEY } from './footholds-scenarios';

beforeAll(() => {
  stackRules();
});

async function respond(cloudTrail: Array<Record<string, unknown>>, config = DEFAULT_CONFIG, extra = {}) {
  const { output, drill: d } = await drill(attackerScenario(cloudTrail, extra), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], config);
  const report = output.report as Record<string, any>;
  const email = output.notifications.find((n) => n.channel === 'email')!;
  return { output, d, report, email };
}

const IAM_WRITES = new Set(['UpdateAccessKey', 'PutUserPolicy', 'AttachUserPolicy', 'PutRolePolicy', 'DeleteLoginProfile', 'UpdateServiceSpecificCredential', 'StopInstances']);

describe('what the footholds step never touches', () => {
  it('a key another user created in the same minutes stays Active, and the footholds step does not run', async () => {
    const { output, report, d } = await respond([byAlice(RECORDS.createdKey())]);

    expect(keyStatus(output, 'shadow', SHADOW_KEY)).toBe('Active');
    expect(report.footholds).toBeUndefined();
    expect(output.execution?.states.map((s) => s.name)).not.toContain('ContainFootholds');
    expect(d.account.calls.filter((c) => c.invocation === 'ContainFootholds')).toEqual([]);
    expect(report.outcome).toBe('contained');
  });

  it('a role only someone else assumed keeps its sessions', async () => {
    const { output, report } = await respond([byAlice(RECORDS.assumedRole())]);

    expect(output.account.roles.find((r) => r.roleName === 'deploy')!.inlinePolicies).toEqual({});
    expect(report.footholds).toBeUndefined();
  });

  it('a service-linked role the key assumed is never changed: skipped, and said to be still open', async () => {
    const { output, report, d } = await respond([RECORDS.serviceLinked()]);

    expect(output.account.roles.find((r) => r.roleName === 'AWSServiceRoleForSupport')!.inlinePolicies).toEqual({});
    expect(d.account.calls.filter((c) => c.operation === 'PutRolePolicy')).toEqual([]);
    expect(report.footholds.results.map((r: { id: string; status: string }) => `${r.id}: ${r.status}`)).toEqual(['revoke-role-sessions AWSServiceRoleForSupport: skipped']);
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.stillOpen).toEqual([
      { what: 'Foothold skipped: role AWSServiceRoleForSupport is a service-linked role: its sessions cannot be revoked and the responder never changes one' },
    ]);
  });
});

describe('a dry run', () => {
  it('changes nothing the key created, and every message says what would be done', async () => {
    const { output, report, email, d } = await respond([RECORDS.createdUser(), RECORDS.createdKey(), RECORDS.assumedRole()], { ...DEFAULT_CONFIG, dryRun: true });

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(d.account.calls.filter((c) => IAM_WRITES.has(c.operation) && !c.error)).toEqual([]);
    expect(keyStatus(output, 'shadow', SHADOW_KEY)).toBe('Active');
    expect(userOf(output, 'backdoor').inlinePolicies).toEqual({});
    expect(output.account.roles.find((r) => r.roleName === 'deploy')!.inlinePolicies).toEqual({});
    expect(report.outcome).toBe('dry-run');
    expect(report.footholds.results.every((r: { status: string; detail: string }) => r.status === 'dry-run' && r.detail.startsWith('would '))).toBe(true);
    expect(report.undo).toEqual([]);
    expect(email.body).toContain('Footholds that would be contained (dry run: nothing was changed):');
    expect(email.body).toContain(`would set access key ${SHADOW_KEY} of user shadow Inactive`);
    expect(email.body).not.toContain('Footholds contained');
  });
});

describe('a foothold action that fails', () => {
  it('AccessDenied on DeleteLoginProfile: the rest is contained, the record is contained with gaps and names the command; the execution follows `complete`', async () => {
    const { output, report, email } = await respond([RECORDS.createdKey(), RECORDS.loginProfile()], DEFAULT_CONFIG, {
      faults: [{ operation: 'iam:DeleteLoginProfile', error: 'AccessDenied', times: 99 }],
    });

    expect(keyStatus(output, 'shadow', SHADOW_KEY)).toBe('Inactive');
    expect((userOf(output, 'bob') as unknown as { loginProfile: boolean }).loginProfile).toBe(true);
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.complete).toBe(true);
    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(report.footholds.results.find((r: { id: string }) => r.id === 'delete-login-profile bob')).toMatchObject({ status: 'failed', errorCode: 'AccessDenied', command: 'aws iam delete-login-profile --user-name bob' });
    expect(report.stillOpen).toEqual([expect.objectContaining({ command: 'aws iam delete-login-profile --user-name bob' })]);
    expect(report.stillOpen[0].what).toMatch(/^Foothold failed: /);
    const lines = email.body.split('\n');
    expect(lines.slice(0, 3)).toEqual(['Exposed access key contained, with gaps: 1 thing failed', '', 'Still open, do this first:']);
    expect(lines[4]).toBe('     aws iam delete-login-profile --user-name bob');
    expect(report.failures).toEqual([{ source: 'footholds', what: 'delete-login-profile bob', error: expect.stringMatching(/^AccessDenied: /) }]);
    expect(email.body).toContain('  - footholds: delete-login-profile bob: AccessDenied: ');
  });

  it('the footholds step failing as a whole: recorded in the one failure shape, still open, and the execution fails', async () => {
    const { output, report } = await respond([RECORDS.serviceCredential()], DEFAULT_CONFIG, {
      faults: [{ operation: 'iam:UpdateServiceSpecificCredential', error: 'ServiceFailure', times: 999 }],
    });

    expect(report.complete).toBe(false);
    expect(output.execution?.status).toBe('FAILED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(report.footholds).toBeUndefined();
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.failures).toEqual([{
      source: 'footholds',
      what: 'ContainFootholds',
      error: expect.stringMatching(/^TransientAwsError: footholds: 1 action\(s\) hit a transient failure \(deactivate-service-credential bob ACCAEXAMPLECREDENTIAL01\)/),
    }]);
    expect(report.stillOpen.map((o: { what: string }) => o.what)).toContain(
      'What the key created or assumed is NOT contained (the footholds step failed): read footholds.json in the incident bucket and contain each by hand.',
    );
  });
});

describe('evidence first', () => {
  it('with stopLaunchedInstances=true, an instance whose snapshots failed is not stopped: ACTION REQUIRED to snapshot, then stop', async () => {
    const { output, report, d } = await respond([RECORDS.instance()], { ...DEFAULT_CONFIG, stopLaunchedInstances: true }, {
      faults: [{ operation: 'ec2:CreateSnapshots', error: 'SnapshotLimitExceeded', times: 99 }],
    });

    expect((output.account as any).instances).toEqual([{ region: 'eu-west-1', instanceId: 'i-0miner', state: 'running' }]);
    expect(d.account.calls.filter((c) => c.operation === 'StopInstances')).toEqual([]);
    expect(report.footholds.results.map((r: { id: string; status: string }) => `${r.id}: ${r.status}`)).toEqual(['action-required eu-west-1 i-0miner: open']);
    expect(report.stillOpen).toContainEqual({
      what: expect.stringMatching(/^ACTION REQUIRED: instance i-0miner \(c5\.24xlarge, eu-west-1, launched .*\) is not stopped: its volumes are not snapshotted; snapshot it, then stop it if it is not yours$/),
      command: 'aws ec2 create-snapshots --region eu-west-1 --instance-specification InstanceId=i-0miner --copy-tags-from-source volume && aws ec2 stop-instances --region eu-west-1 --instance-ids i-0miner',
    });
  });
});

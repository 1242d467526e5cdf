// GuardDuty findings through the whole path: the synthesized stack's rules with
// guardDutyMinSeverity=7, the real dispatcher, the workflow run locally.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Drill } from '../../drill/run-drill';
import { synthesizedRules } from '../../drill/stack-rules';
import { DEFAULT_CONFIG, EXPOSED, keyStatus, OTHER, twoKeyScenario, WRITES } from './helpers';

const DIR = path.join(__dirname, '..', 'fixtures', 'guardduty');
const finding = (name: string) => JSON.parse(readFileSync(path.join(DIR, name), 'utf8')) as Record<string, unknown>;
const rules = synthesizedRules({ guardDutyMinSeverity: '7' });
const ASIA = 'asia-instance-credential-exfiltration-outside-aws.json';

async function deliver(events: unknown[], scenario = twoKeyScenario()) {
  const d = new Drill(scenario, rules, DEFAULT_CONFIG);
  try {
    for (const e of events) await d.deliver(e);
    return { drill: d, output: d.output() };
  } finally {
    d.close();
  }
}

describe('GuardDuty findings (guardDutyMinSeverity=7)', () => {
  it('a long-term key finding starts the same response: the key IAM says it is, contained on its owner', async () => {
    const { output } = await deliver([finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json')]);

    expect(output.deliveries[0].matchedRules).toEqual(['GuardDutyCredentialFindings/Rule']);
    expect(output.incident).toMatchObject({ source: 'guardduty', accessKeyId: EXPOSED, userName: 'ci-deploy' });
    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(keyStatus(output, 'ci-deploy', OTHER)).toBe('Active');
    expect((output.report as { incident: { detail: string } }).incident.detail).toBe(
      'GuardDuty UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom (severity 8): API GeneratedFindingAPIName was invoked from an IP address on a custom threat list.',
    );
  });

  it('a finding naming a user who does not own the key: IAM decides, the named user is never touched', async () => {
    const event = finding('akia-unauthorizedaccess-maliciousipcaller-severity-8.json') as Record<string, any>;
    event.detail.resource.accessKeyDetails.userName = 'alice';

    const { output } = await deliver([event]);

    expect(output.incident).toMatchObject({ accessKeyId: EXPOSED, userName: 'ci-deploy' });
    expect(keyStatus(output, 'alice', 'AKIAALICEKEY00000003')).toBe('Active');
    expect((output.report as { notes: string[] }).notes).toContain('The report named user alice, who does not own this key: alice was not changed.');
  });

  it('temporary credentials (ASIA) of an instance role: the role\'s sessions are revoked, no access key is touched, and people are told with the undo', async () => {
    const { output, drill: d } = await deliver([finding(ASIA)], twoKeyScenario({ roles: [{ roleName: 'app-server-role' }] }));

    expect(output.deliveries[0].matchedRules).toEqual(['GuardDutyCredentialFindings/Rule']);
    expect(output.incidents).toEqual([]);
    expect(d.account.calls.filter((c) => WRITES.has(c.operation))).toEqual([]);
    expect(output.account.users.flatMap((u) => u.accessKeys.map((k) => k.status))).toEqual(['Active', 'Active', 'Active']);
    const revoke = output.account.roles.find((r) => r.roleName === 'app-server-role')?.inlinePolicies.AWSRevokeOlderSessions as any;
    expect(revoke.Statement).toEqual([
      { Sid: 'RevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) } } },
    ]);
    const [notice] = output.notifications;
    expect(notice.subject).toBe('[CONTAINED] temporary credentials reported in 123456789012: role sessions revoked');
    expect(notice.body).toContain('- Revoked: deny every session of role app-server-role issued before');
    expect(notice.body).toContain('Undo: aws iam delete-role-policy --role-name app-server-role --policy-name AWSRevokeOlderSessions');
    // The published sample is marked as one: people are told it was acted on, not that it was ignored.
    expect(notice.body).toContain('Sample: GuardDuty marks this finding as a sample (generated, not real activity); the responder acted on it as on any finding');
    expect(notice.body).not.toContain('Not used: GuardDuty');
  });

  it('temporary credentials of a service-linked role: nothing is written, people are told', async () => {
    const { output } = await deliver([finding(ASIA)], twoKeyScenario({ roles: [{ roleName: 'app-server-role', path: '/aws-service-role/ec2.amazonaws.com/' }] }));

    expect(output.account.roles[0].inlinePolicies).toEqual({});
    expect(output.notifications[0].subject).toMatch(/^\[UNRESOLVED\]/);
    expect(output.notifications[0].body).toContain('role app-server-role is a service-linked role');
  });

  it('temporary credentials in a dry run: nothing is written', async () => {
    const d = new Drill(twoKeyScenario({ roles: [{ roleName: 'app-server-role' }] }), rules, { ...DEFAULT_CONFIG, dryRun: true });
    try {
      await d.deliver(finding(ASIA));
      const output = d.output();
      expect(output.account.roles[0].inlinePolicies).toEqual({});
      expect(d.account.calls.filter((c) => c.operation === 'PutRolePolicy')).toEqual([]);
      expect(output.notifications[0].body).toContain('dry run, nothing was changed: would deny every session of role app-server-role');
    } finally {
      d.close();
    }
  });

  it('the same finding below the threshold (severity 5) is not an incident: no rule matches it', async () => {
    const { output } = await deliver([finding('akia-unauthorizedaccess-maliciousipcaller-severity-5.json')]);

    expect(output.matched).toBe(false);
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Active');
  });
});

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

  it('temporary credentials (ASIA) of an instance role: no long-term key is deactivated, and people are told which role and how to revoke its sessions', async () => {
    const { output, drill: d } = await deliver([finding('asia-instance-credential-exfiltration-outside-aws.json')]);

    expect(output.deliveries[0].matchedRules).toEqual(['GuardDutyCredentialFindings/Rule']);
    expect(output.incidents).toEqual([]);
    expect(d.account.calls.filter((c) => WRITES.has(c.operation))).toEqual([]);
    expect(output.account.users.flatMap((u) => u.accessKeys.map((k) => k.status))).toEqual(['Active', 'Active', 'Active']);
    const [notice] = output.notifications;
    expect(notice.subject).toMatch(/^\[UNRESOLVED\]/);
    expect(notice.body).toContain('credential ASIAEXAMPLESESSION01');
    expect(notice.body).toContain('role arn:aws:iam::123456789012:role/app-server-role');
    expect(notice.body).toContain('Revoke the role\'s active sessions by hand');
  });

  it('the same finding below the threshold (severity 5) is not an incident: no rule matches it', async () => {
    const { output } = await deliver([finding('akia-unauthorizedaccess-maliciousipcaller-severity-5.json')]);

    expect(output.matched).toBe(false);
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Active');
  });
});

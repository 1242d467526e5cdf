import { drill, EXPOSED, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();

/** The attacker: a backdoor user in us-east-1, miners in eu-west-1 and ap-southeast-1. */
function attackerActivity() {
  const ev = (region: string, minutes: number, eventSource: string, eventName: string, requestParameters = {}, responseElements: unknown = null) => ({
    region, eventTime: ago(minutes), eventSource, eventName, accessKeyId: EXPOSED, userName: 'ci-deploy', requestParameters, responseElements,
  });
  return [
    ev('us-east-1', 30, 'sts.amazonaws.com', 'GetCallerIdentity'),
    ev('us-east-1', 29, 'iam.amazonaws.com', 'CreateUser', { userName: 'backdoor' }, { user: { userName: 'backdoor' } }),
    ev('us-east-1', 28, 'iam.amazonaws.com', 'CreateAccessKey', { userName: 'backdoor' }, { accessKey: { userName: 'backdoor', accessKeyId: 'AKIABACKDOORKEY00001' } }),
    ev('eu-west-1', 20, 'ec2.amazonaws.com', 'RunInstances', {}, { instancesSet: { items: [{ instanceId: 'i-0minereu' }] } }),
    ev('ap-southeast-1', 19, 'ec2.amazonaws.com', 'RunInstances', {}, { instancesSet: { items: [{ instanceId: 'i-0minerap' }] } }),
    ev('ap-southeast-1', 18, 'ec2.amazonaws.com', 'StartInstances', { instancesSet: { items: [{ instanceId: 'i-0stopped' }] } }),
    // Someone else's call, by another key: not the attacker's doing.
    { ...ev('eu-west-1', 17, 'ec2.amazonaws.com', 'RunInstances', {}, { instancesSet: { items: [{ instanceId: 'i-0legit' }] } }), accessKeyId: 'AKIAOTHERKEY00000002', userName: 'alice' },
  ];
}

function attackScenario(extra: Record<string, unknown> = {}) {
  return twoKeyScenario({
    regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
    cloudTrail: attackerActivity(),
    instances: [
      { region: 'eu-west-1', instanceId: 'i-0minereu', state: 'running', volumeIds: ['vol-eu-1', 'vol-eu-2'] },
      { region: 'ap-southeast-1', instanceId: 'i-0minerap', state: 'running', volumeIds: ['vol-ap-1'] },
      { region: 'ap-southeast-1', instanceId: 'i-0stopped', state: 'running', volumeIds: ['vol-ap-2'] },
      { region: 'eu-west-1', instanceId: 'i-0legit', state: 'running', volumeIds: ['vol-legit'] },
    ],
    ...extra,
  });
}

beforeAll(() => {
  stackRules();
});

describe('investigation and evidence after containment', () => {
  it('snapshots exactly the instances the key launched or started, in their own regions, tagged with the incident', async () => {
    const { output } = await drill(attackScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    const snapshots = output.account.snapshots.map((s) => `${s.region}:${s.instanceId}:${s.volumeId}`).sort();
    expect(snapshots).toEqual(['ap-southeast-1:i-0minerap:vol-ap-1', 'ap-southeast-1:i-0stopped:vol-ap-2', 'eu-west-1:i-0minereu:vol-eu-1', 'eu-west-1:i-0minereu:vol-eu-2']);
    for (const s of output.account.snapshots) {
      expect(s.tags).toMatchObject({
        'exposed-key-responder:incident-id': output.incident!.incidentId,
        'exposed-key-responder:access-key-id': EXPOSED,
        'exposed-key-responder:instance-id': s.instanceId,
      });
    }
  });

  it('writes the incident report: activity per region, what the key left per region, the evidence', async () => {
    const { output, drill: d } = await drill(attackScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    const report = output.report as Record<string, any>;
    // The backdoor is contained; the three instances the key launched or started are not stopped (stopLaunchedInstances off).
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.stillOpen.map((o: { command?: string }) => o.command)).toEqual([
      'aws ec2 stop-instances --region eu-west-1 --instance-ids i-0minereu',
      'aws ec2 stop-instances --region ap-southeast-1 --instance-ids i-0minerap',
      'aws ec2 stop-instances --region ap-southeast-1 --instance-ids i-0stopped',
    ]);
    expect(report.activity.byRegion).toEqual({ 'ap-southeast-1': 2, 'eu-west-1': 1, 'us-east-1': 3 });
    expect(report.leftBehind.users).toEqual(['backdoor']);
    expect(report.leftBehind.accessKeys).toEqual([{ userName: 'backdoor', accessKeyId: 'AKIABACKDOORKEY00001' }]);
    expect(report.leftBehind.instancesByRegion).toEqual({
      'ap-southeast-1': [{ instanceId: 'i-0minerap', via: 'RunInstances' }, { instanceId: 'i-0stopped', via: 'StartInstances' }],
      'eu-west-1': [{ instanceId: 'i-0minereu', via: 'RunInstances' }],
    });
    expect(report.failures).toEqual([]);
    const { markdown } = d.reportObjects(output.incident!.incidentId);
    expect(markdown).toContain('i-0minereu');
    expect(output.notifications[0].body).toContain('Record:       https://s3.console.aws.amazon.com/s3/object/');
    expect(d.account.objects.has(`${d.bucket}/incidents/${output.incident!.incidentId}/activity.jsonl`)).toBe(true);
  });

  it('keeps containment and reports the gap when CloudTrail keeps throttling past the back-off', async () => {
    const { output } = await drill(attackScenario({ faults: [{ operation: 'cloudtrail:LookupEvents', error: 'ThrottlingException', times: 40 }] }), [
      trustedAdvisorEvent(EXPOSED, 'ci-deploy'),
    ]);

    expect(output.account.users[0].accessKeys[0].status).toBe('Inactive');
    const report = output.report as Record<string, any>;
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.failures.some((f: { what: string; error: string }) => /Throttling/.test(`${f.what} ${f.error}`))).toBe(true);
    expect(output.notifications[0].subject).toMatch(/^\[CONTAINED WITH GAPS\]/);
  });

  it('keeps containment and reports it when the snapshot limit is reached', async () => {
    const { output } = await drill(attackScenario({ faults: [{ operation: 'ec2:CreateSnapshots', error: 'SnapshotLimitExceeded', times: 99 }] }), [
      trustedAdvisorEvent(EXPOSED, 'ci-deploy'),
    ]);

    expect(output.account.users[0].accessKeys[0].status).toBe('Inactive');
    expect(output.account.snapshots).toEqual([]);
    const report = output.report as Record<string, any>;
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.evidence.snapshots.map((s: { status: string; error?: string }) => `${s.status}:${s.error}`)).toEqual(
      expect.arrayContaining(['failed:SnapshotLimitExceeded']),
    );
    expect(output.notifications[0].body).toContain('SnapshotLimitExceeded');
  });

  it('reports an instance already terminated or gone, without failing', async () => {
    const scenario = attackScenario();
    scenario.instances = [
      { region: 'eu-west-1', instanceId: 'i-0minereu', state: 'terminated', volumeIds: ['vol-eu-1'] },
      { region: 'ap-southeast-1', instanceId: 'i-0stopped', state: 'running', volumeIds: ['vol-ap-2'] },
    ];

    const { output } = await drill(scenario, [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    const statuses = (output.report as Record<string, any>).evidence.snapshots.map((s: { instanceId: string; status: string }) => `${s.instanceId}:${s.status}`).sort();
    expect(statuses).toEqual(['i-0minerap:gone', 'i-0minereu:gone', 'i-0stopped:created']);
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0stopped']);
  });

  it('takes no snapshot in a dry run and says which it would take', async () => {
    const { output } = await drill(attackScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { dryRun: true, protectedUsers: [], lookbackDays: 14 });

    expect(output.account.snapshots).toEqual([]);
    const report = output.report as Record<string, any>;
    expect(report.outcome).toBe('dry-run');
    expect(report.evidence.snapshots.map((s: { status: string }) => s.status)).toEqual(['dry-run', 'dry-run', 'dry-run']);
  });

  it('searches only the lookback window', async () => {
    const old = { region: 'us-east-1', eventTime: ago(60 * 24 * 20), eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', accessKeyId: EXPOSED, userName: 'ci-deploy', requestParameters: { userName: 'old' }, responseElements: null };

    const { output } = await drill(attackScenario({ cloudTrail: [...attackerActivity(), old] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect((output.report as Record<string, any>).leftBehind.users).toEqual(['backdoor']);
  });
});

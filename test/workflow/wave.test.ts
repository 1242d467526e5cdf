import { Drill } from '../../drill/run-drill';
import { inVirtualTime } from '../../drill/virtual-clock';
import { runWave, waveEvent, waveKey, waveScenario } from '../../drill/wave';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../lambdas/shared/policies';
import { DEFAULT_CONFIG, stackRules } from './helpers';

// A wave played on the virtual clock: simulated minutes of back-off take seconds.
jest.setTimeout(240_000);

describe('a wave of 20 exposures at once, IAM writes limited to 2 a second', () => {
  let details: Awaited<ReturnType<typeof runWave>>;
  beforeAll(async () => {
    details = await runWave(stackRules(), { keys: 20, iamMutatingPerSecond: 2 });
  });

  it('contains every key (Inactive, sessions revoked) and loses no report', () => {
    expect(details.figures).toMatchObject({ incidents: 20, contained: 20, lost: 0 });
    expect(details.deadLettered).toBe(0);
    expect(details.failedExecutions).toBe(0);
  });

  it('is throttled by IAM, and still contains every key within 1.5x the rate bound (20 keys x 3 writes / 2 a second = 30 s)', () => {
    expect(details.figures.boundSeconds).toBe(30);
    expect(details.figures.containSeconds).toBeLessThanOrEqual(45);
    expect(details.containmentWrites).toBe(60);
    expect(Object.keys(details.throttled)).toEqual(expect.arrayContaining(['iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:AttachUserPolicy']));
  });

  it('searches CloudTrail once per region for the first pass and once for the second look, not once per key (4 calls)', () => {
    expect(details.figures.lookupCalls).toBe(4);
    expect(details.figures.lookupBound).toBe(4);
  });

  it('sends one email per incident', () => {
    expect(details.figures.emails).toBe(20);
  });

  it('keeps every execution far under Step Functions\' history (25,000 events) and state (256 KB) limits', () => {
    expect(details.maxHistoryEvents).toBeLessThan(2_500);
    expect(details.maxStateBytes).toBeLessThan(64 * 1024);
  });
});

describe('a wave: what each incident\'s record says', () => {
  it('lists only its own key\'s activity, found in the shared search', async () => {
    const { result } = await inVirtualTime(async () => {
      const drill = new Drill(waveScenario({ keys: 3 }), stackRules(), DEFAULT_CONFIG, { virtualTime: true });
      try {
        await Promise.all([0, 1, 2].map((i) => drill.deliver(waveEvent(i))));
        const key = waveKey(1);
        const id = drill.deliveries.flatMap((d) => d.executions).find((e) => e.incident.accessKeyId === key.accessKeyId)!.incident.incidentId;
        const objects = [...drill.account.objects.keys()];
        return {
          activity: drill.account.objects.get(`${drill.bucket}/incidents/${id}/activity.jsonl`)?.body ?? '',
          user: drill.account.view().users.find((u) => u.userName === key.userName),
          shared: objects.filter((k) => k.includes('/shared-searches/')),
        };
      } finally {
        drill.close();
      }
    });

    const lines = result.activity.trim().split('\n').map((l) => JSON.parse(l) as { userIdentity: { accessKeyId: string }; region: string; eventName: string });
    expect(lines.map((l) => [l.userIdentity.accessKeyId, l.region, l.eventName])).toEqual([
      ['AKIAWAVEKEY000000002', 'eu-west-1', 'DescribeInstances'],
      ['AKIAWAVEKEY000000002', 'us-east-1', 'GetCallerIdentity'],
    ]);
    expect(result.user?.accessKeys).toEqual([{ accessKeyId: 'AKIAWAVEKEY000000002', status: 'Inactive' }]);
    expect(Object.keys(result.user?.inlinePolicies ?? {})).toContain(REVOKE_SESSIONS_POLICY_NAME);
    expect(result.shared.some((k) => k.endsWith('/123456789012/us-east-1/latest.json'))).toBe(true);
  });
});

import { Drill } from '../../drill/run-drill';
import { restoreAll } from '../../drill/restore';
import { ACCOUNT, DEFAULT_CONFIG, EXPOSED, OTHER, QUARANTINE_ARN, stackRules, trustedAdvisorEvent, twoKeyScenario } from '../workflow/helpers';

beforeAll(() => {
  stackRules();
});

/** Responds to one Trusted Advisor report of EXPOSED on `scenario`, then restores (the operator's --yes), in the simulated account. */
async function respondThenRestore(scenario = twoKeyScenario()) {
  const d = new Drill(scenario, stackRules(), DEFAULT_CONFIG);
  try {
    await d.deliver(trustedAdvisorEvent(EXPOSED, 'ci-deploy'));
    const afterResponse = d.account.view();
    const restored = await restoreAll(d, () => undefined);
    return { d, afterResponse, restored };
  } finally {
    d.close();
  }
}

const user = (view: { users: Array<{ userName: string }> }, name: string) => view.users.find((u) => u.userName === name) as { userName: string; accessKeys: Array<{ accessKeyId: string; status: string }>; inlinePolicies: Record<string, unknown>; attachedPolicyArns: string[] };

describe('restore round trip on the simulated account', () => {
  it('puts the user back as it was before the response, the exposed key still Inactive', async () => {
    const { d, afterResponse, restored } = await respondThenRestore();

    expect(Object.keys(user(afterResponse, 'ci-deploy').inlinePolicies)).toEqual(['ExposedKeyResponder-RevokeOlderSessions']);
    expect(user(afterResponse, 'ci-deploy').attachedPolicyArns).toEqual([QUARANTINE_ARN]);
    const after = user(restored.account, 'ci-deploy');
    expect(after.inlinePolicies).toEqual({});
    expect(after.attachedPolicyArns).toEqual([]);
    expect(after.accessKeys).toEqual([{ accessKeyId: EXPOSED, status: 'Inactive' }, { accessKeyId: OTHER, status: 'Active' }]);
    expect(user(restored.account, 'alice')).toEqual(user(d.before, 'alice'));
    expect(restored.results).toEqual([expect.objectContaining({ status: 'restored', userName: 'ci-deploy', by: `arn:aws:iam::${ACCOUNT}:user/drill-operator` })]);
  });

  it('writes restore.json next to the record and tells the topic', async () => {
    const { d } = await respondThenRestore();

    const [incidentId] = d.deliveries[0].dispatch?.started.map((s) => s.incidentId) ?? [];
    const written = JSON.parse(d.account.objects.get(`${d.bucket}/incidents/${incidentId}/restore.json`)?.body ?? '{}');
    expect(written.done).toEqual([
      'delete inline policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy (the responder created it)',
      `detach policy ${QUARANTINE_ARN} on user ci-deploy`,
    ]);
    const told = d.account.published.at(-1);
    expect(told?.subject).toBe(`[RESTORED] incident ${incidentId}: user ci-deploy`);
    expect(told?.message).toContain('- delete inline policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy (the responder created it)');
  });

  it('leaves a policy the user had before the response: the quarantine attached by hand earlier stays', async () => {
    const scenario = twoKeyScenario();
    scenario.users![0] = { ...scenario.users![0], attachedPolicyArns: [QUARANTINE_ARN] };

    const { restored } = await respondThenRestore(scenario);

    expect(user(restored.account, 'ci-deploy').attachedPolicyArns).toEqual([QUARANTINE_ARN]);
    expect(user(restored.account, 'ci-deploy').inlinePolicies).toEqual({});
  });

  it('refuses, changing nothing, when the revoke policy is no longer what the responder wrote', async () => {
    const d = new Drill(twoKeyScenario(), stackRules(), DEFAULT_CONFIG);
    try {
      await d.deliver(trustedAdvisorEvent(EXPOSED, 'ci-deploy'));
      const ci = d.account.view().users[0];
      // Someone rewrote the responder's policy since (a later response, a human).
      await d.account.call('iam', 'PutUserPolicy', { UserName: ci.userName, PolicyName: 'ExposedKeyResponder-RevokeOlderSessions', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': '2099-01-01T00:00:00Z' } } }] }) });
      const before = d.account.view();

      const restored = await restoreAll(d, () => undefined);

      expect(restored.results).toEqual([expect.objectContaining({ status: 'refused', error: expect.stringContaining('inline policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy is no longer the document the responder wrote') })]);
      expect(restored.account).toEqual(before);
    } finally {
      d.close();
    }
  });
});

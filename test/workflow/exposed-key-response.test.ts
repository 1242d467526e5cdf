import { QUARANTINE_INLINE_POLICY_NAME, REVOKE_SESSIONS_POLICY_NAME, revokedBefore } from '../../lambdas/shared/policies';
import {
  ACCOUNT,
  cloudTrailEvent,
  DEFAULT_CONFIG,
  drill,
  EXPOSED,
  fixture,
  healthEvent,
  keyStatus,
  OTHER,
  QUARANTINE_ARN,
  stackRules,
  trustedAdvisorEvent,
  twoKeyScenario,
  userOf,
  WRITES,
} from './helpers';


beforeAll(() => {
  stackRules();
});

describe('containment', () => {
  it('deactivates only the exposed key when the user has two, revokes older sessions and quarantines the user', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.matched).toBe(true);
    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(keyStatus(output, 'ci-deploy', OTHER)).toBe('Active');
    expect(keyStatus(output, 'alice', 'AKIAALICEKEY00000003')).toBe('Active');
    const user = userOf(output, 'ci-deploy');
    expect(revokedBefore(user.inlinePolicies[REVOKE_SESSIONS_POLICY_NAME])).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
    expect(user.attachedPolicyArns).toEqual([QUARANTINE_ARN]);
    expect(userOf(output, 'alice').inlinePolicies).toEqual({});
    expect(output.account.users.flatMap((u) => u.accessKeys)).toHaveLength(3); // nothing deleted
  });

  it('starts with containment: the three IAM changes run in parallel in the first state', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    const names = output.execution!.states.map((s) => s.name);
    expect(names[0]).toBe('Contain');
    expect(names).toEqual(expect.arrayContaining(['DeactivateKey', 'RevokeSessions', 'Quarantine', 'Verify', 'NotifyResult']));
    const writes = output.apiCalls.filter((c) => WRITES.has(c.operation));
    expect(writes.map((c) => `${c.invocation}:${c.operation}`).sort()).toEqual([
      'DeactivateKey:UpdateAccessKey',
      'Quarantine:AttachUserPolicy',
      'RevokeSessions:PutUserPolicy',
    ]);
  });

  it('tells people what was done, which key and user, and what they still owe', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.notifications).toHaveLength(1);
    const [mail] = output.notifications;
    expect(mail.subject).toBe(`[CONTAINED] Exposed key ${EXPOSED} (ci-deploy) in ${ACCOUNT}`);
    expect(mail.body).toContain(`set access key ${EXPOSED} of user ci-deploy Inactive`);
    expect(mail.body).toContain(`other key ${OTHER}: Active (left as it was)`);
    expect(mail.body).toContain('Rotate the key in the application');
  });

  it('retries a throttled IAM call and still contains the key', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'iam:UpdateAccessKey', error: 'Throttling', times: 3 }] }), [
      trustedAdvisorEvent(EXPOSED, 'ci-deploy'),
    ]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(output.execution!.states.find((s) => s.name === 'DeactivateKey')?.retries).toBe(3);
    expect(output.apiCalls.filter((c) => c.operation === 'UpdateAccessKey').map((c) => c.error ?? 'ok')).toEqual([
      'Throttling', 'Throttling', 'Throttling', 'ok',
    ]);
  });

  it('finishes the other containment actions when one fails for good, then fails naming the step', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'iam:PutUserPolicy', error: 'AccessDenied', times: 99 }] }), [
      trustedAdvisorEvent(EXPOSED, 'ci-deploy'),
    ]);

    expect(output.execution?.status).toBe('FAILED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(userOf(output, 'ci-deploy').attachedPolicyArns).toEqual([QUARANTINE_ARN]);
    expect(output.apiCalls.filter((c) => c.operation === 'PutUserPolicy')).toHaveLength(1); // AccessDenied is not retried
    const [mail] = output.notifications;
    expect(mail.subject).toMatch(/^\[FAILED\]/);
    expect(mail.body).toContain(`Containment FAILED (RevokeSessions): access key ${EXPOSED} is Inactive, but sessions of user ci-deploy issued before the response may still work`);
    expect(mail.body).toContain('[FAILED] RevokeSessions: AccessDenied');
  });

  it('quarantines with an inline policy when the user already has 10 managed policies', async () => {
    const scenario = twoKeyScenario();
    const managed = Array.from({ length: 10 }, (_, i) => `arn:aws:iam::aws:policy/Managed${i}`);
    scenario.users![0] = { ...scenario.users![0], attachedPolicyArns: managed };

    const { output } = await drill(scenario, [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    const user = userOf(output, 'ci-deploy');
    expect(user.attachedPolicyArns).toEqual(managed);
    expect(Object.keys(user.inlinePolicies).sort()).toEqual([REVOKE_SESSIONS_POLICY_NAME, QUARANTINE_INLINE_POLICY_NAME].sort());
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
  });

  it('contains the key\'s owner, as IAM says, when the report names a user that does not exist', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'no-such-user')]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.incident?.userName).toBe('ci-deploy');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
  });
});

describe('the shared AWS sample events', () => {
  it('contains the key of the Health 2016 sample, finding its user from the key', async () => {
    const scenario = { accountId: ACCOUNT, users: [{ userName: 'svc', accessKeys: [{ accessKeyId: 'ACCESS_KEY_ID_HERE' }] }] };

    const { output } = await drill(scenario, [fixture('health-credentials-exposed-2016-sample.json')]);

    expect(output.incident).toMatchObject({ source: 'health', accessKeyId: 'ACCESS_KEY_ID_HERE', userName: 'svc', accountId: ACCOUNT });
    expect(keyStatus(output, 'svc', 'ACCESS_KEY_ID_HERE')).toBe('Inactive');
    expect(output.apiCalls[0]).toMatchObject({ operation: 'GetAccessKeyLastUsed', invocation: 'dispatcher' });
  });

  it('contains the key of the Trusted Advisor sample and keeps its case id and leak location', async () => {
    const scenario = { accountId: '111222333444', users: [{ userName: 'test-user', accessKeys: [{ accessKeyId: 'ACCESS_KEY_ID_HERE' }] }] };

    const { output } = await drill(scenario, [fixture('trusted-advisor-exposed-access-keys-sample.json')]);

    expect(keyStatus(output, 'test-user', 'ACCESS_KEY_ID_HERE')).toBe('Inactive');
    expect(output.notifications[0].body).toContain('AWS case:     02648f3b-e18f-4019-8d68-ce25efe080ff');
    expect(output.notifications[0].body).toContain('Leaked at:    www.github.com/some_user/some_repo/some_file');
  });

  it('contains every active key of the user AWS quarantined (CloudTrail record through EventBridge)', async () => {
    const scenario = {
      accountId: ACCOUNT,
      users: [
        {
          userName: 'test-user',
          accessKeys: [{ accessKeyId: 'AKIATESTUSERKEY00001' }, { accessKeyId: 'AKIATESTUSERKEY00002', status: 'Inactive' as const }],
          attachedPolicyArns: ['arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2'],
        },
        { userName: 'bystander', accessKeys: [{ accessKeyId: 'AKIABYSTANDERKEY0001' }] },
      ],
    };

    const { output } = await drill(scenario, [cloudTrailEvent(fixture('cloudtrail-record-attach-quarantine-v2.json'))]);

    expect(output.incidents.map((i) => i.accessKeyId)).toEqual(['AKIATESTUSERKEY00001']);
    expect(keyStatus(output, 'test-user', 'AKIATESTUSERKEY00001')).toBe('Inactive');
    expect(keyStatus(output, 'bystander', 'AKIABYSTANDERKEY0001')).toBe('Active');
  });

  it('finds the quarantined users of an AWS_RISK_IAM_QUARANTINE event that names no key', async () => {
    const described = fixture('health-describe-events-iam-quarantine-2022.json').event as Record<string, string>;
    const event = {
      version: '0', id: 'quarantine-1', 'detail-type': 'AWS Health Event', source: 'aws.health', account: ACCOUNT,
      time: '2022-12-21T14:46:18Z', region: 'us-east-1', resources: [],
      detail: { eventArn: described.arn, service: described.service, eventTypeCode: described.eventTypeCode, eventTypeCategory: described.eventTypeCategory },
    };
    const scenario = {
      accountId: ACCOUNT,
      users: [
        { userName: 'quarantined-v3', accessKeys: [{ accessKeyId: 'AKIAQUARANTINEDV3001' }], attachedPolicyArns: ['arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3'] },
        { userName: 'legacy', accessKeys: [{ accessKeyId: 'AKIAQUARANTINEDLEG01' }], inlinePolicies: { AWSExposedCredentialPolicy_DO_NOT_REMOVE: { Version: '2012-10-17', Statement: [] } } },
        { userName: 'look-alike', accessKeys: [{ accessKeyId: 'AKIALOOKALIKEKEY0001' }], attachedPolicyArns: [`arn:aws:iam::${ACCOUNT}:policy/AWSCompromisedKeyQuarantineV3`] },
      ],
      // What AWS just did, as CloudTrail records it: only these users are contained.
      cloudTrail: [
        { region: 'us-east-1', eventTime: '2022-12-21T14:45:10Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', userName: 'AWSInternal', requestParameters: { userName: 'quarantined-v3', policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' } },
        { region: 'us-east-1', eventTime: '2022-12-21T14:45:20Z', eventSource: 'iam.amazonaws.com', eventName: 'PutUserPolicy', userName: 'AWSInternal', requestParameters: { userName: 'legacy', policyName: 'AWSExposedCredentialPolicy_DO_NOT_REMOVE' } },
        { region: 'us-east-1', eventTime: '2022-12-21T14:45:30Z', eventSource: 'iam.amazonaws.com', eventName: 'AttachUserPolicy', userName: 'someone', requestParameters: { userName: 'look-alike', policyArn: `arn:aws:iam::${ACCOUNT}:policy/AWSCompromisedKeyQuarantineV3` } },
      ],
    };

    const { output } = await drill(scenario, [event]);

    expect(output.incidents.map((i) => i.userName).sort()).toEqual(['legacy', 'quarantined-v3']);
    expect(keyStatus(output, 'quarantined-v3', 'AKIAQUARANTINEDV3001')).toBe('Inactive');
    expect(keyStatus(output, 'legacy', 'AKIAQUARANTINEDLEG01')).toBe('Inactive');
    expect(keyStatus(output, 'look-alike', 'AKIALOOKALIKEKEY0001')).toBe('Active');
  });

  it('ignores the Support Case Update sample: no rule matches, the account stays as given', async () => {
    const scenario = twoKeyScenario();

    const { output, drill: d } = await drill(scenario, [fixture('support-case-update-create.json')]);

    expect(output.matched).toBe(false);
    expect(output.incident).toBeNull();
    expect(output.account).toEqual(d.before);
    expect(output.notifications).toEqual([]);
    expect(output.apiCalls).toEqual([]);
  });
});

describe('duplicates', () => {
  it('starts one execution when Health, Trusted Advisor and a redelivery report the same key', async () => {
    const { output } = await drill(twoKeyScenario(), [
      healthEvent(EXPOSED),
      trustedAdvisorEvent(EXPOSED, 'ci-deploy'),
      healthEvent(EXPOSED),
    ]);

    expect(output.incidents.map((i) => i.status)).toEqual(['SUCCEEDED', 'SKIPPED', 'SKIPPED']);
    expect(output.apiCalls.filter((c) => c.operation === 'UpdateAccessKey')).toHaveLength(1);
    expect(output.notifications).toHaveLength(1);
  });
});

describe('non-incidents', () => {
  const attach = (policyArn: string) =>
    cloudTrailEvent({ ...fixture('cloudtrail-record-attach-quarantine-v2.json'), requestParameters: { userName: 'ci-deploy', policyArn } });

  it.each([
    ['a customer policy named like the AWS quarantine policy', attach(`arn:aws:iam::${ACCOUNT}:policy/AWSCompromisedKeyQuarantineV2`)],
    ['an ordinary AWS managed policy', attach('arn:aws:iam::aws:policy/ReadOnlyAccess')],
    ['a Trusted Advisor warning', { ...trustedAdvisorEvent(EXPOSED, 'ci-deploy'), detail: { ...(trustedAdvisorEvent(EXPOSED, 'ci-deploy').detail as object), status: 'WARN' } }],
    ['another Trusted Advisor check', { ...trustedAdvisorEvent(EXPOSED, 'ci-deploy'), detail: { ...(trustedAdvisorEvent(EXPOSED, 'ci-deploy').detail as object), 'check-name': 'IAM Use' } }],
    ['a Health event of another service', { ...healthEvent(EXPOSED), detail: { ...(healthEvent(EXPOSED).detail as object), service: 'EC2' } }],
  ])('ignores %s', async (_what, event) => {
    const { output, drill: d } = await drill(twoKeyScenario(), [event]);

    expect(output.matched).toBe(false);
    expect(output.account).toEqual(d.before);
    expect(output.apiCalls).toEqual([]);
  });

  it('rejects a matched event it cannot parse, without touching the account (it lands in the DLQ)', async () => {
    const broken = { ...healthEvent(EXPOSED), detail: { ...(healthEvent(EXPOSED).detail as object), affectedEntities: 'not a list' } };

    const { output, drill: d } = await drill(twoKeyScenario(), [broken]);

    expect(output.matched).toBe(true);
    expect(output.execution?.status).toBe('SKIPPED');
    expect(d.deliveries[0].dispatchError?.name).toBe('InvalidIncidentError');
    expect(output.account).toEqual(d.before);
    expect(output.deadLetters).toEqual([expect.objectContaining({ attempts: 3, requestPayload: broken, responsePayload: expect.objectContaining({ errorType: 'InvalidIncidentError' }) })]);
    expect(output.notifications.map((n) => n.subject)).toEqual([
      expect.stringMatching(/^ALARM: "ExposedKeyResponder-FailureAlarmsDispatcherErrors\w+" in US East \(N. Virginia\)$/),
      expect.stringMatching(/^ALARM: "ExposedKeyResponder-FailureAlarmsDeadLetters\w+" in US East \(N. Virginia\)$/),
    ]);
  });
});

describe('principals that must not be changed', () => {
  it('escalates an exposed root key to people and changes nothing', async () => {
    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent('AKIAROOTKEY000000001', '<root>')]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.incident?.userName).toBe('root');
    expect(output.apiCalls.filter((c) => WRITES.has(c.operation))).toEqual([]);
    expect(output.account.users).toEqual(d.before.users);
    expect(output.notifications[0].subject).toMatch(/^\[ACTION REQUIRED\]/);
    expect(output.notifications[0].body).toContain('sign in as the root user NOW');
    // AWS is told too, without claiming containment.
    expect(output.account.supportCases).toHaveLength(1);
    expect(output.account.supportCases[0].subject).toContain('NOT contained');
  });

  it('leaves a protected user as it is and asks a human to act', async () => {
    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { ...DEFAULT_CONFIG, protectedUsers: ['ci-deploy'] });

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.account.users).toEqual(d.before.users);
    expect(output.apiCalls.filter((c) => WRITES.has(c.operation))).toEqual([]);
    expect(output.notifications[0].subject).toMatch(/^\[ACTION REQUIRED\]/);
  });
});

describe('dry run', () => {
  it('runs the whole path, changes nothing and reports what it would have done', async () => {
    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { ...DEFAULT_CONFIG, dryRun: true });

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.account).toEqual(d.before);
    expect(output.apiCalls.filter((c) => WRITES.has(c.operation))).toEqual([]);
    const [mail] = output.notifications;
    expect(mail.subject).toMatch(/^\[DRY RUN\]/);
    expect(mail.body).toContain(`  - would set access key ${EXPOSED} of user ci-deploy Inactive`);
    expect(mail.body).toContain(`would fix: access key ${EXPOSED} is Active`);
  });
});

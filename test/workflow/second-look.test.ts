// The second look through the whole workflow (the ASL run locally; its Wait passes at once): a
// CloudTrail record delivered late is found only by the second look, what it shows is contained,
// the record is written again and a second email goes out only when something changed.
import { DEFAULT_CONFIG, drill, EXPOSED, keyStatus, stackRules, trustedAdvisorEvent } from './helpers';
import { ago, attackerScenario, byKey, RECORDS, SHADOW_KEY } from './footholds-scenarios';

beforeAll(() => {
  stackRules();
});

/** The exposed key made a key for shadow a minute ago; CloudTrail delivers that record after the first investigation. */
const lateKey = () => ({
  ...byKey(1, 'iam.amazonaws.com', 'CreateAccessKey', { userName: 'shadow' }, { accessKey: { userName: 'shadow', accessKeyId: SHADOW_KEY, status: 'Active' } }),
  visibleAfter: 'Investigate',
});

/** The completion event, on every path to the end (test/workflow/completion-event.test.ts). */
const COMPLETION_STATES = ['AnnounceCompletion', 'PublishCompletion', 'EndFindingWanted', 'CompletionRoute'];
const SECOND_LOOK_STATES = ['SecondLookDue', 'SecondLookAfterVerification', 'SecondLookWait', 'InvestigateAgain', 'NewFootholdsFound'];

describe('the second look', () => {
  it('finds a foothold CloudTrail delivered late, contains it, rewrites the record and sends a second email', async () => {
    const { output, drill: d } = await drill(attackerScenario([RECORDS.createdUser(), lateKey()]), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { ...DEFAULT_CONFIG, slackWebhookSecret: 'team/slack-webhook' });

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(keyStatus(output, 'shadow', SHADOW_KEY)).toBe('Inactive');
    const states = output.execution!.states.map((s) => s.name);
    expect(states.slice(states.indexOf('SecondLookDue'))).toEqual([
      ...SECOND_LOOK_STATES, 'ContainNewFootholds', 'SecondLookReport', 'SecondLookChanged', 'NotifySlackSecondLook', 'NotifySecondLook', ...COMPLETION_STATES, 'ResponseComplete', 'ResponseSucceeded',
    ]);
    // The first pass did not see it: the first footholds step contained the user only.
    const calls = d.account.calls.filter((c) => c.operation === 'UpdateAccessKey' && !c.error).map((c) => c.invocation);
    expect(calls).toEqual(['DeactivateKey', 'ContainFootholds', 'ContainNewFootholds']);

    const report = output.report as Record<string, any>;
    expect(report.secondLook).toMatchObject({ held: true, usedCount: 0, newFootholds: 1 });
    expect(report.footholds.results.map((r: { id: string; status: string }) => `${r.id}: ${r.status}`)).toEqual([
      'deactivate-user-keys backdoor: done', 'revoke-user-sessions backdoor: done', 'quarantine-user backdoor: done', 'delete-login-profile backdoor: done',
      `deactivate-key shadow ${SHADOW_KEY}: done`,
    ]);
    expect(report.outcome).toBe('contained');
    expect(report.timeline.map((t: { event: string }) => t.event)).toContain('Second look at CloudTrail: containment held, 1 new foothold(s)');

    expect(output.notifications.map((n) => n.channel)).toEqual(['email', 'email', 'slack', 'slack']); // the drill lists emails, then Slack
    const emails = output.notifications.filter((n) => n.channel === 'email');
    const slacks = output.notifications.filter((n) => n.channel === 'slack');
    expect(slacks[1].body).toContain(`set access key ${SHADOW_KEY} of user shadow Inactive`);
    expect(emails[0].body).not.toContain(SHADOW_KEY);
    expect(emails[1].body).toContain(`set access key ${SHADOW_KEY} of user shadow Inactive (read back: Inactive)`);
    expect(emails[1].body).toMatch(/\nSecond look at CloudTrail \(.* to .*\): containment held; 0 attempt\(s\) denied; 1 new foothold\(s\)\.\n/);
    // The record's one key, written again: the last version has the second look.
    expect(JSON.parse(d.reportObjects(output.incident!.incidentId).json!).secondLook).toMatchObject({ held: true, newFootholds: 1 });
  });

  it('when nothing changed: the record is rewritten with the second look, and nobody gets a second message', async () => {
    const { output, drill: d } = await drill(attackerScenario([RECORDS.createdUser()]), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { ...DEFAULT_CONFIG, slackWebhookSecret: 'team/slack-webhook' });

    expect(output.execution?.status).toBe('SUCCEEDED');
    const states = output.execution!.states.map((s) => s.name);
    expect(states.slice(states.indexOf('SecondLookDue'))).toEqual([...SECOND_LOOK_STATES, 'SecondLookReport', 'SecondLookChanged', ...COMPLETION_STATES, 'ResponseComplete', 'ResponseSucceeded']);
    expect(output.notifications.map((n) => n.channel)).toEqual(['email', 'slack']);
    expect(JSON.parse(d.reportObjects(output.incident!.incidentId).json!).secondLook).toMatchObject({ held: true, usedCount: 0, deniedCount: 0, newFootholds: 0 });
  });

  it('is not done in a dry run, nor when the key could not be contained', async () => {
    const dry = await drill(attackerScenario([RECORDS.createdUser()]), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], { ...DEFAULT_CONFIG, dryRun: true });
    expect(dry.output.execution!.states.map((s) => s.name)).not.toContain('SecondLookWait');

    const failed = await drill(attackerScenario([RECORDS.createdUser()], { faults: [{ operation: 'iam:UpdateAccessKey', error: 'AccessDenied', times: 99 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);
    expect((failed.output.report as Record<string, any>).outcome).toBe('failed');
    expect(failed.output.execution!.states.map((s) => s.name)).not.toContain('SecondLookWait');
  });

  it('keeps only what the record needs of the second investigation in the workflow state', async () => {
    const { drill: d, output } = await drill(attackerScenario([RECORDS.createdUser(), { ...byKey(2, 's3.amazonaws.com', 'ListBuckets', {}), eventTime: ago(2) }]), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    // The execution's output: the whole state at its end.
    const state = d.deliveries[0].executions[0].output as Record<string, any>;
    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(Object.keys(state.secondLook).sort()).toEqual(['afterContainment', 'failures', 'footholds', 'lookback']);
    expect(Object.keys(state.secondLookPlan).sort()).toEqual(['containedAt', 'seconds', 'since']);
    expect(state.secondLookPlan.seconds).toBe(0);
  });
});

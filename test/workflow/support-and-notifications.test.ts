import { DEFAULT_CONFIG, drill, EXPOSED, healthEvent, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';

const AWS_CASE = 'case-123456789012-muen-2026-7118885805350839';
/** What the Support Center shows for that case, and what Trusted Advisor's "Case ID" holds. */
const AWS_DISPLAY_ID = '1234563851';
const awsCase = { caseId: AWS_CASE, displayId: AWS_DISPLAY_ID, subject: `Your AWS access key ${EXPOSED} is exposed`, status: 'opened', severityCode: 'urgent', communications: ['We detected your key online.'] };

/** Trusted Advisor's report naming the case AWS opened. */
function reportWithCase(caseId = AWS_DISPLAY_ID) {
  const event = trustedAdvisorEvent(EXPOSED, 'ci-deploy');
  const detail = event.detail as { 'check-item-detail': Record<string, string> };
  detail['check-item-detail']['Case ID'] = caseId;
  return event;
}

beforeAll(() => {
  stackRules();
});

describe('the AWS support case', () => {
  it("answers the case AWS opened with what was contained, once", async () => {
    const { output } = await drill(twoKeyScenario({ supportCases: [awsCase] }), [reportWithCase()]);

    expect(output.account.supportCases).toHaveLength(1);
    expect(output.account.supportCases[0].communications).toHaveLength(2);
    const [, reply] = output.account.supportCases[0].communications;
    expect(reply).toContain(`[exposed-key-responder incident ${output.incident!.incidentId}]`);
    expect(reply).toContain(EXPOSED);
    expect(reply).toContain('ci-deploy');
    expect(output.notifications.find((n) => n.channel === 'email')!.body).toContain(`AWS support case ${AWS_DISPLAY_ID} was answered`);
    expect(output.apiCalls.filter((c) => c.operation === 'AddCommunicationToCase')).toHaveLength(1);
  });

  it('finds the case by its API id too, when Trusted Advisor gives one', async () => {
    const { output } = await drill(twoKeyScenario({ supportCases: [awsCase] }), [reportWithCase(AWS_CASE)]);

    expect(output.account.supportCases[0].communications).toHaveLength(2);
    expect(output.account.supportCases).toHaveLength(1);
  });

  it('opens one security case on business support when AWS opened none, with the configured severity', async () => {
    const { output } = await drill(twoKeyScenario({ supportPlan: 'business' }), [healthEvent(EXPOSED)], { ...DEFAULT_CONFIG, supportSeverity: 'urgent' });

    expect(output.account.supportCases).toEqual([
      expect.objectContaining({ subject: expect.stringContaining(`[${output.incident!.incidentId}]`), severityCode: 'urgent' }),
    ]);
    const create = output.apiCalls.filter((c) => c.operation === 'CreateCase');
    expect(create).toHaveLength(1);
  });

  it('never opens a second case for a duplicate report of the same key', async () => {
    const { output } = await drill(twoKeyScenario(), [healthEvent(EXPOSED), trustedAdvisorEvent(EXPOSED, 'ci-deploy'), healthEvent(EXPOSED)]);

    expect(output.account.supportCases).toHaveLength(1);
    expect(output.apiCalls.filter((c) => c.operation === 'CreateCase')).toHaveLength(1);
  });

  it.each(['basic', 'developer'] as const)('on %s support: no case, the execution succeeds, the email names the plan and the manual steps', async (plan) => {
    const { output } = await drill(twoKeyScenario({ supportPlan: plan, supportCases: [awsCase] }), [reportWithCase()]);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.account.users[0].accessKeys[0].status).toBe('Inactive');
    expect(output.account.supportCases[0].communications).toEqual(awsCase.communications);
    const email = output.notifications.find((n) => n.channel === 'email')!;
    expect(email.subject).toMatch(/^\[CONTAINED\] /);
    expect(email.body).toMatch(/AWS support: no case could be opened or answered: .*support plan/);
    expect((output.report as Record<string, unknown>).outcome).toBe('contained');
  });
});

describe('Slack', () => {
  const slack = { ...DEFAULT_CONFIG, slackWebhookSecret: 'team/slack-webhook' };

  it('posts a readable message with the key, the user and the report link', async () => {
    const { output, drill: d } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], slack);

    const message = output.notifications.find((n) => n.channel === 'slack');
    expect(message?.subject).toContain(EXPOSED);
    expect(message?.body).toContain('ci-deploy');
    expect(d.account.slackMessages).toHaveLength(1);
    expect(d.account.slackMessages[0].url).toMatch(/^https:\/\/hooks\.slack\.com\//);
    expect(d.account.slackMessages[0].body).toContain(`https://s3.console.aws.amazon.com/s3/object/${d.bucket}?prefix=incidents/${output.incident!.incidentId}/report.md`);
  });

  it('a failing webhook does not fail the incident, and the email says so', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'slack:PostMessage', error: 'ServiceUnavailable', times: 9 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], slack);

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(output.notifications.filter((n) => n.channel === 'slack')).toEqual([]);
    const email = output.notifications.find((n) => n.channel === 'email')!;
    expect(email.subject).toMatch(/^\[CONTAINED WITH GAPS\] /);
    expect(email.body).toMatch(/Slack notification: .*500/);
  });

  it('posts nothing when no webhook secret is configured', async () => {
    const { output } = await drill(twoKeyScenario(), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')]);

    expect(output.notifications.map((n) => n.channel)).toEqual(['email']);
    expect(output.apiCalls.filter((c) => c.service === 'secretsmanager')).toEqual([]);
  });
});

describe('a failed response', () => {
  it('is posted to Slack too, naming the failed step', async () => {
    const { output } = await drill(twoKeyScenario({ faults: [{ operation: 'iam:PutUserPolicy', error: 'AccessDenied', times: 99 }] }), [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], {
      ...DEFAULT_CONFIG,
      slackWebhookSecret: 'team/slack-webhook',
    });

    expect(output.execution?.status).toBe('FAILED');
    const slack = output.notifications.find((n) => n.channel === 'slack');
    expect(slack?.subject).toContain('FAILED');
    expect(slack?.body).toContain('RevokeSessions');
    expect(output.notifications.find((n) => n.channel === 'email')?.subject).toMatch(/^\[FAILED\]/);
  });

  it('still reaches Slack when the failure email cannot be sent', async () => {
    const { output } = await drill(
      twoKeyScenario({ faults: [{ operation: 'iam:PutUserPolicy', error: 'AccessDenied', times: 99 }, { operation: 'sns:Publish', error: 'AuthorizationError', times: 99 }] }),
      [trustedAdvisorEvent(EXPOSED, 'ci-deploy')],
      { ...DEFAULT_CONFIG, slackWebhookSecret: 'team/slack-webhook' },
    );

    expect(output.execution?.status).toBe('FAILED');
    expect(output.notifications.map((n) => n.channel)).toEqual(['slack']);
  });
});

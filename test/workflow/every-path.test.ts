// Every path reaches the record: after a failed containment, verification, support case or record
// write, and in a dry run, the workflow still investigates, keeps evidence, writes the record and
// tells people; report.json, the email, Slack and the support case say the same outcome and the
// same open items. The execution fails on the failed paths, so the alarm fires.
import { DEFAULT_CONFIG, drill, EXPOSED, keyStatus, stackRules, trustedAdvisorEvent, twoKeyScenario } from './helpers';
import { ScenarioInput } from '../../drill/scenario';

const NOW = Date.now();
const ago = (minutes: number) => new Date(NOW - minutes * 60_000).toISOString();
const WITH_SLACK = { ...DEFAULT_CONFIG, slackWebhookSecret: 'team/slack-webhook' };
const DEACTIVATE = `aws iam update-access-key --user-name ci-deploy --access-key-id ${EXPOSED} --status Inactive`;
const TAGS: Record<string, string> = { contained: 'CONTAINED', 'contained-with-gaps': 'CONTAINED WITH GAPS', escalated: 'ACTION REQUIRED', 'dry-run': 'DRY RUN', failed: 'FAILED' };

/** A miner the key launched: evidence to keep on every path. */
function minerScenario(extra: Partial<ScenarioInput> = {}): ScenarioInput {
  return twoKeyScenario({
    regions: ['us-east-1', 'eu-west-1'],
    cloudTrail: [
      {
        region: 'eu-west-1', eventTime: ago(20), eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', accessKeyId: EXPOSED, userName: 'ci-deploy',
        sourceIPAddress: '203.0.113.9', requestParameters: {}, responseElements: { instancesSet: { items: [{ instanceId: 'i-0miner' }] } },
      } as never,
    ],
    instances: [{ region: 'eu-west-1', instanceId: 'i-0miner', state: 'running', volumeIds: ['vol-0miner'] }],
    supportCases: [{ caseId: 'case-aws-1', subject: `Your AWS access key ${EXPOSED} is exposed`, status: 'opened', severityCode: 'urgent', communications: ['We found your key.'] }],
    ...extra,
  });
}

interface Report {
  reportVersion?: number;
  outcome: string;
  headline: string;
  complete: boolean;
  stillOpen: Array<{ what: string; command?: string }>;
  followUps: string[];
  failures: Array<{ source: string; what: string; error: string }>;
}

async function run(scenario: ScenarioInput, config = WITH_SLACK) {
  const { output } = await drill(scenario, [trustedAdvisorEvent(EXPOSED, 'ci-deploy')], config);
  const email = output.notifications.find((n) => n.channel === 'email');
  const slack = output.notifications.find((n) => n.channel === 'slack');
  const replies = output.account.supportCases.flatMap((c) => c.communications).filter((m) => m.includes('[exposed-key-responder incident'));
  return { output, report: output.report as unknown as Report, email, slack, replies };
}

/** The email, Slack and the support reply say the record's outcome and every open item, the email first of all. */
function expectAgreement({ report, email, slack }: Awaited<ReturnType<typeof run>>, replies: string[]): void {
  expect(email).toBeDefined();
  expect(slack).toBeDefined();
  expect(email!.subject.startsWith(`[${TAGS[report.outcome]}] `)).toBe(true);
  expect(email!.body.split('\n')[0]).toBe(report.headline);
  expect(slack!.subject).toContain(`[${TAGS[report.outcome]}] `);
  expect(slack!.subject).toContain(report.headline);
  for (const item of report.stillOpen) {
    expect(email!.body).toContain(item.what);
    expect(slack!.body).toContain(item.what);
    if (item.command) expect(email!.body).toContain(item.command);
  }
  for (const reply of replies) {
    expect(reply).toContain(report.headline);
    for (const item of report.stillOpen) expect(reply).toContain(item.what);
  }
}

beforeAll(() => {
  stackRules();
});

describe('every path reaches the record', () => {
  it('failed containment (UpdateAccessKey AccessDenied): the key is still Active, deactivating it comes first everywhere; evidence and record kept; the execution fails', async () => {
    const result = await run(minerScenario({ faults: [{ operation: 'iam:UpdateAccessKey', error: 'AccessDenied', times: 99 }] }));
    const { output, report, email } = result;

    expect(output.execution?.status).toBe('FAILED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Active');
    expect(report).toMatchObject({ reportVersion: 2, outcome: 'failed', complete: false });
    expect(report.stillOpen[0]).toEqual({ what: `Access key ${EXPOSED} of ci-deploy is still Active: deactivate it now.`, command: DEACTIVATE });
    expect(email!.body.split('\n').slice(2, 5)).toEqual(['Still open, do this first:', `  1. Access key ${EXPOSED} of ci-deploy is still Active: deactivate it now.`, `     ${DEACTIVATE}`]);
    expect(report.failures.map((f) => `${f.source}:${f.what}`)).toEqual(expect.arrayContaining(['containment:DeactivateKey', 'verification:Verify']));
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0miner']);
    expect(result.replies).toHaveLength(1);
    expectAgreement(result, result.replies);
    expect(output.execution!.states.map((s) => s.name)).toEqual(expect.arrayContaining(['Investigate', 'PreserveEvidence', 'AnswerSupportCase', 'NotifySlack', 'RewriteReport', 'NotifyResult', 'ResponseIncomplete']));
  });

  it('failed verification (an IAM read keeps failing): the key is contained, but the record says it was not verified and how to check; evidence kept; the execution fails', async () => {
    const result = await run(minerScenario({ faults: [{ operation: 'iam:ListAccessKeys', error: 'AccessDenied', times: 99 }] }));
    const { output, report } = result;

    expect(output.execution?.status).toBe('FAILED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(report).toMatchObject({ outcome: 'failed', headline: `Containment of access key ${EXPOSED} could NOT be verified: check it by hand now`, complete: false });
    expect(report.stillOpen[0].command).toBe('aws iam list-access-keys --user-name ci-deploy && aws iam list-user-policies --user-name ci-deploy && aws iam list-attached-user-policies --user-name ci-deploy');
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0miner']);
    expectAgreement(result, result.replies);
  });

  it('failed support case: the record is written after it and names it, as the email and Slack do; the execution fails', async () => {
    const result = await run(minerScenario({ faults: [{ operation: 'support:DescribeCases', error: 'AccessDeniedException', times: 99 }] }));
    const { output, report } = result;

    expect(output.execution?.status).toBe('FAILED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Inactive');
    expect(report).toMatchObject({ outcome: 'contained-with-gaps', complete: false });
    expect(report.failures).toEqual([expect.objectContaining({ source: 'support', what: 'AnswerSupportCase' })]);
    expect(report.stillOpen.map((o) => o.what)).toEqual([
      expect.stringMatching(/^ACTION REQUIRED: instance i-0miner \(type unknown, eu-west-1, launched .*, from 203\.0\.113\.9\) is not stopped \(stopLaunchedInstances is off\): stop it if it is not yours$/),
      expect.stringMatching(/^AWS support was not told \(AccessDeniedException: /),
    ]);
    expect(result.replies).toEqual([]);
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0miner']);
    expectAgreement(result, []);
  });

  it('dry run: every message says would, the commands to contain by hand come first, nothing is undone; the execution succeeds', async () => {
    const result = await run(minerScenario(), { ...WITH_SLACK, dryRun: true });
    const { output, report, email, slack } = result;

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Active');
    expect(output.account.snapshots).toEqual([]);
    expect(report).toMatchObject({ outcome: 'dry-run', headline: 'Dry run: nothing was changed', complete: true, failures: [] });
    expect(report.stillOpen.map((o) => o.command?.split(' --policy-document')[0])).toEqual([
      DEACTIVATE,
      'aws iam put-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-RevokeOlderSessions',
      'aws iam put-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-Quarantine',
      // The miner the key launched: never stopped without stopLaunchedInstances, dry run or not.
      'aws ec2 stop-instances --region eu-west-1 --instance-ids i-0miner',
    ]);
    for (const text of [email!.body, slack!.body]) {
      expect(text).not.toMatch(/\[done\]|\*done\*/);
      expect(text).not.toContain('Undo');
      expect(text).toContain(`would set access key ${EXPOSED} of user ci-deploy Inactive`);
    }
    expect(result.replies).toEqual([]);
    expectAgreement(result, []);
  });

  it('a user protected by its tag, which only contain sees: escalated, nothing changed, everyone is asked to decide; the execution succeeds', async () => {
    const scenario = minerScenario();
    scenario.users![0] = { ...scenario.users![0], tags: { 'exposed-key-responder:protected': 'true' } };

    const result = await run(scenario);
    const { output, report } = result;

    expect(output.execution?.status).toBe('SUCCEEDED');
    expect(keyStatus(output, 'ci-deploy', EXPOSED)).toBe('Active');
    expect(report).toMatchObject({ outcome: 'escalated', headline: 'Protected user ci-deploy: nothing was changed, a human must act now', complete: true });
    expect(report.stillOpen).toEqual([
      { what: `Access key ${EXPOSED} of ci-deploy is still Active (ci-deploy is protected: nothing was changed): decide now whether to deactivate it.`, command: DEACTIVATE },
      // What the key launched is the attacker's, not the protected user's: still said.
      { what: expect.stringMatching(/^ACTION REQUIRED: instance i-0miner \(type unknown, eu-west-1, launched .*, from 203\.0\.113\.9\) is not stopped \(stopLaunchedInstances is off\): stop it if it is not yours$/), command: 'aws ec2 stop-instances --region eu-west-1 --instance-ids i-0miner' },
    ]);
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0miner']);
    expectAgreement(result, result.replies);
  });

  it('a record that cannot be written: the email still goes out and says so; the execution fails', async () => {
    const result = await run(minerScenario({ faults: [{ operation: 's3:PutObject', error: 'AccessDenied', times: 99 }] }));
    const { output, email, report } = result;

    expect(output.execution?.status).toBe('FAILED');
    // The drill's `report`: the same record rebuilt from the last state, as it was not written.
    expect(report).toMatchObject({ written: false, outcome: 'contained-with-gaps', complete: false, headline: email!.body.split('\n')[0] });
    expect(email!.body).toMatch(/The incident record could not be written \(AccessDenied: .*\): this message is the only record of the response\./);
    expect(output.account.snapshots.map((s) => s.instanceId)).toEqual(['i-0miner']);
  });
});

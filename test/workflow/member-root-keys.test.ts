import { DrillConfig } from '../../drill/lambda-environments';
import { Drill } from '../../drill/run-drill';
import { RulePattern } from '../../drill/rules';
import { synthesizedRules } from '../../drill/stack-rules';
import { ACCOUNT, DEFAULT_CONFIG, trustedAdvisorEvent, twoKeyScenario, WRITES } from './helpers';

const ORGANIZATION = { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] };
const DELETING = { ...DEFAULT_CONFIG, organization: { ...ORGANIZATION, deleteMemberRootKeys: true } };
const ROOT_KEY = 'AKIAROOTKEY000000001';
const ROOT_KEYS = [{ accessKeyId: ROOT_KEY, status: 'Active' as const, createDate: '2019-03-01T00:00:00Z' }];
const ROOT_ARN = `arn:aws:iam::${ACCOUNT}:root`;
const TASK_POLICY = 'arn:aws:iam::aws:policy/root-task/IAMDeleteRootUserCredentials';

let rules: RulePattern[];
beforeAll(() => {
  rules = synthesizedRules({ ...ORGANIZATION, memberOrganizationalUnits: ORGANIZATION.memberOrganizationalUnits.join(','), deleteMemberRootKeys: 'true' });
});

async function run(config: DrillConfig = DELETING, extra: Parameters<typeof twoKeyScenario>[0] = {}, event = trustedAdvisorEvent(ROOT_KEY, '<root>')) {
  const d = new Drill(twoKeyScenario({ supportPlan: 'business', rootAccessKeys: ROOT_KEYS, ...extra }), rules, config);
  try {
    await d.deliver(event);
    return { output: d.output(), before: d.before };
  } finally {
    d.close();
  }
}

const email = (output: Awaited<ReturnType<typeof run>>['output']) => output.notifications.find((n) => n.channel === 'email')!;

describe('a member account\'s exposed root key, deleteMemberRootKeys=true', () => {
  let output: Awaited<ReturnType<typeof run>>['output'];
  let before: Awaited<ReturnType<typeof run>>['before'];
  beforeAll(async () => {
    ({ output, before } = await run({ ...DELETING, slackWebhookSecret: 'slack/exposed-key-responder' }));
  });

  it('is DELETED: the root user has no access key any more, nothing else changed', () => {
    expect(output.execution!.status).toBe('SUCCEEDED');
    expect(output.incident).toMatchObject({ accountId: ACCOUNT, accessKeyId: ROOT_KEY, userName: 'root' });
    expect(output.account.rootAccessKeys).toEqual([]);
    expect(output.account.users).toEqual(before.users);
  });

  it('through one root session of the member account with the IAMDeleteRootUserCredentials task policy, opened by contain with its own credentials', () => {
    expect(output.organization!.rootSessions).toEqual([{ targetPrincipal: ACCOUNT, taskPolicyArn: TASK_POLICY, durationSeconds: 300, accessKeyId: 'ASIASIMULATEDROOT001' }]);
    const rootCalls = output.apiCalls.filter((c) => c.role === ROOT_ARN || c.operation === 'AssumeRoot');
    expect(rootCalls.map((c) => [c.invocation, c.service, c.operation, c.role, c.error])).toEqual([
      ['DeactivateKey', 'sts', 'AssumeRoot', undefined, undefined],
      ['DeactivateKey', 'iam', 'ListAccessKeys', ROOT_ARN, undefined],
      ['DeactivateKey', 'iam', 'DeleteAccessKey', ROOT_ARN, undefined],
    ]);
    // Never deactivated: the task policy does not allow it, and a root key is deleted or left alone.
    expect(output.apiCalls.filter((c) => c.operation === 'UpdateAccessKey')).toEqual([]);
  });

  it('says DELETED, irreversible, in the record, its undo steps, the email, Slack and the support case', () => {
    const report = output.report as { outcome: string; headline: string; containment: Array<{ action: string; status: string; detail: string; changes?: unknown[] }>; undo: Array<{ what: string; command?: string }> };
    const deactivate = report.containment.find((c) => c.action === 'deactivate-key')!;

    expect(report.outcome).toBe('contained');
    expect(report.headline).toBe(`Exposed ROOT access key ${ROOT_KEY} DELETED (irreversible)`);
    expect(deactivate.status).toBe('done');
    expect(deactivate.detail).toMatch(/^DELETED root access key AKIAROOTKEY000000001 of member account 123456789012 \(it was Active\) through centralized root access .*IRREVERSIBLE, a deleted key cannot be restored$/);
    expect(deactivate.changes).toEqual([{ kind: 'root-access-key-deleted', userName: 'root', accountId: ACCOUNT, accessKeyId: ROOT_KEY, before: 'Active', restorable: false }]);
    expect(report.undo).toEqual([{ what: expect.stringContaining(`Root access key ${ROOT_KEY} of account ${ACCOUNT} was DELETED: this cannot be undone`) }]);
    expect(email(output).subject).toBe(`[CONTAINED] Exposed key ${ROOT_KEY} (root, key DELETED) in ${ACCOUNT}`);
    expect(output.account.supportCases[0].subject).toBe(`Exposed access key ${ROOT_KEY} (root) DELETED [${output.incident!.incidentId}]`);
    expect(email(output).body).toContain(`Exposed ROOT access key ${ROOT_KEY} DELETED (irreversible)`);
    expect(email(output).body).toContain(`DELETED root access key ${ROOT_KEY} of member account ${ACCOUNT}`);
    expect(email(output).body).not.toContain('sign in as the root user NOW');
    expect(email(output).body).toContain('Verification: not applicable (the root key was DELETED: IAM accepted DeleteAccessKey, nothing is left to read back).');
    const slack = output.notifications.find((n) => n.channel === 'slack')!;
    expect(slack.subject).toContain(`Exposed ROOT access key ${ROOT_KEY} DELETED (irreversible)`);
    expect(slack.body).toContain(`DELETED root access key ${ROOT_KEY}`);
    expect(output.account.supportCases[0].communications.join('\n')).toContain(`DELETED root access key ${ROOT_KEY}`);
  });
});

describe('a member account\'s exposed root key, deleteMemberRootKeys=false (the default)', () => {
  it('escalates to people as before: the key untouched, no root session', async () => {
    const { output, before } = await run({ ...DEFAULT_CONFIG, organization: ORGANIZATION });

    expect(output.execution!.status).toBe('SUCCEEDED');
    expect(output.account.rootAccessKeys).toEqual(before.rootAccessKeys);
    expect(output.organization!.rootSessions).toEqual([]);
    expect(output.apiCalls.filter((c) => c.operation === 'AssumeRoot' || WRITES.has(c.operation))).toEqual([]);
    expect((output.report as { outcome: string }).outcome).toBe('escalated');
    expect(email(output).subject).toMatch(/^\[ACTION REQUIRED\]/);
    expect(email(output).body).toContain('sign in as the root user NOW');
    expect(email(output).body).toContain('deleteMemberRootKeys is off');
  });
});

describe('a member account\'s exposed root key, AssumeRoot refused', () => {
  it('escalates with the commands a human runs; the key untouched; the execution fails so the alarm fires', async () => {
    const { output, before } = await run(DELETING, { faults: [{ operation: 'sts:AssumeRoot', error: 'AccessDenied', times: 10 }] });
    const body = email(output).body;

    expect(output.account.rootAccessKeys).toEqual(before.rootAccessKeys);
    expect(output.apiCalls.filter((c) => c.operation === 'AssumeRoot').map((c) => c.error)).toEqual(['AccessDenied']);
    expect(output.apiCalls.filter((c) => WRITES.has(c.operation))).toEqual([]);
    expect(output.execution!.status).toBe('FAILED');
    expect((output.report as { outcome: string }).outcome).toBe('failed');
    expect(body).toContain('sign in as the root user NOW');
    expect(body).toContain(`sts:AssumeRoot in member account ${ACCOUNT} was refused: AccessDenied`);
    expect(body).toContain('aws iam enable-organizations-root-credentials-management');
    expect(body).toContain(`aws sts assume-root --region us-east-1 --target-principal ${ACCOUNT} --task-policy-arn arn=${TASK_POLICY} --duration-seconds 900`);
    expect(body).toContain(`aws iam delete-access-key --access-key-id ${ROOT_KEY}`);
  });
});

describe('a member account\'s exposed root key, dry run', () => {
  it('says what would be DELETED, opens no root session, deletes nothing', async () => {
    const { output, before } = await run({ ...DELETING, dryRun: true });
    const report = output.report as { outcome: string; containment: Array<{ action: string; status: string; detail: string }> };

    expect(output.account.rootAccessKeys).toEqual(before.rootAccessKeys);
    expect(output.organization!.rootSessions).toEqual([]);
    expect(report.outcome).toBe('dry-run');
    expect(report.containment.find((c) => c.action === 'deactivate-key')).toMatchObject({ status: 'dry-run', detail: expect.stringMatching(/^would DELETE root access key AKIAROOTKEY000000001 of member account 123456789012 \(IRREVERSIBLE/) });
    expect(email(output).body).toContain(`would DELETE root access key ${ROOT_KEY}`);
  });
});

describe('where a root key is never deleted, even with deleteMemberRootKeys=true', () => {
  it('a key the root user does not have (the report named root wrongly): nothing deleted, people are told whose keys IAM lists', async () => {
    const { output, before } = await run(DELETING, { rootAccessKeys: [{ accessKeyId: 'AKIAROOTKEY000000009', status: 'Active' }] });

    expect(output.account.rootAccessKeys).toEqual(before.rootAccessKeys);
    expect(output.apiCalls.filter((c) => c.operation === 'DeleteAccessKey')).toEqual([]);
    expect((output.report as { outcome: string }).outcome).toBe('escalated');
    expect(email(output).body).toContain(`IAM does not list access key ${ROOT_KEY} among the root user's keys of member account ${ACCOUNT} (ListAccessKeys with the root session lists: AKIAROOTKEY000000009)`);
  });

});

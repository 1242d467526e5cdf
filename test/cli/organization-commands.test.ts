// The operator's commands on an organization-mode deployment: records of member accounts in the
// central bucket, the member StackSet checked by doctor.
import { DescribeStackSetCommand, ListStackInstancesCommand, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { DescribeSeverityLevelsCommand, DescribeTrustedAdvisorChecksCommand } from '@aws-sdk/client-support';
import { awsError, body, cli, cloudformation, iam, NOW, OUTPUTS, putEntries, resetMocks, s3, sfn, sns, stackAnswers, STATE_MACHINE, sts, support } from './harness';
import { waitForExecution } from '../../cli/report-key';
import { aRecord, INCIDENT, KEY } from './record';

const MEMBER = '444455556666';
const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:ExposedKeyResponse:${INCIDENT}`;
const CENTRAL_BUS = 'arn:aws:events:us-east-1:123456789012:event-bus/ExposedKeyResponderOrganizationCentralBus';

function memberRecord() {
  const record = aRecord();
  return { ...record, incident: { ...record.incident, accountId: MEMBER } };
}

beforeEach(() => {
  resetMocks();
  stackAnswers({ ...OUTPUTS, CentralEventBusArn: CENTRAL_BUS });
});

describe('list and show, a member account\'s incident', () => {
  it('list names the account of each incident', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE, name: INCIDENT, status: 'SUCCEEDED', startDate: new Date('2026-11-20T10:00:00.000Z') }] });
    s3.on(GetObjectCommand).resolves(body(JSON.stringify(memberRecord())));

    const text = await cli(['list']);
    const json = await cli(['list', '--json']);

    expect(text.stdout.split('\n')[0]).toMatch(/^INCIDENT +ACCOUNT +KEY +USER/);
    expect(text.stdout.split('\n')[1]).toMatch(new RegExp(`^${INCIDENT} +${MEMBER} +${KEY} +ci-deploy `));
    expect(json.json().incidents[0]).toMatchObject({ incidentId: INCIDENT, accountId: MEMBER });
  });

  it('show says the incident is of a member account and how restore acts there', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'SUCCEEDED', startDate: new Date('2026-11-20T10:00:00.000Z') } as never);
    s3.on(GetObjectCommand, { Key: `incidents/${INCIDENT}/report.json` }).resolves(body(JSON.stringify(memberRecord())));
    s3.on(GetObjectCommand, { Key: `incidents/${INCIDENT}/report.md` }).resolves(body(`# [CONTAINED] Exposed access key ${KEY} of ci-deploy in account ${MEMBER}`));

    const r = await cli(['show', INCIDENT]);
    const json = await cli(['show', INCIDENT, '--json']);

    expect(r.stdout).toBe(`execution ${INCIDENT}: SUCCEEDED, started 2026-11-20T10:00:00.000Z\naccount ${MEMBER}: a member account (the responder's is 123456789012); restore acts there with --member-role <role> or --member-profile <profile>\n\n# [CONTAINED] Exposed access key ${KEY} of ci-deploy in account ${MEMBER}\n`);
    expect(json.json()).toMatchObject({ incidentId: INCIDENT, accountId: MEMBER, record: { incident: { accountId: MEMBER } } });
  });

  it('show of the responder\'s own account\'s incident adds no account line; an unreadable record still shows report.md', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'SUCCEEDED', startDate: new Date('2026-11-20T10:00:00.000Z') } as never);
    s3.on(GetObjectCommand, { Key: `incidents/${INCIDENT}/report.json` }).rejects(awsError('AccessDenied'));
    s3.on(GetObjectCommand, { Key: `incidents/${INCIDENT}/report.md` }).resolves(body('# [CONTAINED] ci-deploy'));

    const r = await cli(['show', INCIDENT]);

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`execution ${INCIDENT}: SUCCEEDED, started 2026-11-20T10:00:00.000Z\n\n# [CONTAINED] ci-deploy\n`);
  });
});

describe('doctor, organization mode', () => {
  function healthy() {
    cloudformation.on(ListStackResourcesCommand).resolves({ StackResourceSummaries: [{ LogicalResourceId: 'HealthRisk', PhysicalResourceId: 'ekr-HealthRisk', ResourceType: 'AWS::Events::Rule', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: NOW }] });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ Protocol: 'email', Endpoint: 'secops@example.com', SubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:t:1' }] });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    support.on(DescribeSeverityLevelsCommand).resolves({ severityLevels: [] });
    support.on(DescribeTrustedAdvisorChecksCommand).resolves({ checks: [{ id: '12Fnkpl8Y5', name: 'Exposed Access Keys', description: '', category: 'security', metadata: [] }] });
    cloudformation.on(DescribeStackSetCommand).resolves({ StackSet: { StackSetName: 'exposed-key-responder-member', Status: 'ACTIVE' } });
  }
  const instance = (account: string, region: string, status: 'CURRENT' | 'OUTDATED', reason?: string) =>
    ({ StackSetId: 's', Account: account, Region: region, Status: status, ...(reason ? { StatusReason: reason, StackInstanceStatus: { DetailedStatus: 'FAILED' as const } } : { StackInstanceStatus: { DetailedStatus: 'SUCCEEDED' as const } }) });

  it('reads the member StackSet as delegated administrator: every instance current is OK', async () => {
    healthy();
    cloudformation.on(ListStackInstancesCommand).resolves({ Summaries: [instance(MEMBER, 'us-east-1', 'CURRENT'), instance(MEMBER, 'us-west-2', 'CURRENT'), instance('777788889999', 'us-east-1', 'CURRENT')] });

    const r = await cli(['doctor']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^OK +member stack set +2 member account\(s\), 3 stack instance\(s\) current/m);
    expect(cloudformation.commandCalls(DescribeStackSetCommand)[0].args[0].input).toEqual({ StackSetName: 'exposed-key-responder-member', CallAs: 'DELEGATED_ADMIN' });
    expect(cloudformation.commandCalls(ListStackInstancesCommand)[0].args[0].input).toMatchObject({ StackSetName: 'exposed-key-responder-member', CallAs: 'DELEGATED_ADMIN' });
  });

  it('names the accounts whose instance failed: exit 1', async () => {
    healthy();
    cloudformation.on(ListStackInstancesCommand).resolves({ Summaries: [instance(MEMBER, 'us-east-1', 'OUTDATED', 'Role exposed-key-responder-member already exists'), instance(MEMBER, 'us-west-2', 'CURRENT')] });

    const r = await cli(['doctor', '--json']);

    expect(r.code).toBe(1);
    const check = r.json().checks.find((c: { check: string }) => c.check === 'member stack set');
    expect(check).toEqual({ check: 'member stack set', ok: false, detail: expect.stringContaining(`1 of 2 stack instance(s) not current, their accounts are not (fully) covered: ${MEMBER} us-east-1 OUTDATED (Role exposed-key-responder-member already exists)`) });
  });

  it('says what to do when the StackSet is missing', async () => {
    healthy();
    cloudformation.on(DescribeStackSetCommand).rejects(awsError('StackSetNotFoundException'));

    const r = await cli(['doctor', '--json']);

    expect(r.json().checks.find((c: { check: string }) => c.check === 'member stack set')).toMatchObject({ ok: false, detail: expect.stringContaining('no StackSet exposed-key-responder-member') });
  });

  it('per-account mode: no StackSet check, no call', async () => {
    healthy();
    stackAnswers(OUTPUTS);

    const r = await cli(['doctor', '--json']);

    expect(r.json().checks.map((c: { check: string }) => c.check)).not.toContain('member stack set');
    expect(cloudformation.commandCalls(DescribeStackSetCommand)).toHaveLength(0);
  });
});

describe('report, organization mode: a member account\'s key', () => {
  beforeEach(() => {
    stackAnswers({ ...OUTPUTS, CentralEventBusArn: CENTRAL_BUS, ReportBusName: 'ExposedKeyResponder-reports' });
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING', startDate: new Date() } as never);
  });

  it('is not refused here: puts the report, with the account named, on the report bus and waits for the execution', async () => {
    const r = await cli(['report', '--key', KEY, '--account', MEMBER, '--user', 'ci-deploy', '--json']);

    expect(r.code).toBe(0);
    expect(putEntries().map((e) => [e.EventBusName, e.Detail])).toEqual([['ExposedKeyResponder-reports', JSON.stringify({ accessKeyId: KEY, userName: 'ci-deploy', accountId: MEMBER })]]);
    expect(r.json()).toMatchObject({ eventId: 'evt-1', incidentId: INCIDENT, executionArn: EXECUTION_ARN, status: 'RUNNING' });
    expect(r.stderr).toContain('organization mode: the responder acts in the account STS says owns the key, when it is a member account it covers');
    // Nothing is asked of IAM or STS here: the dispatcher decides whose the key is.
    expect(sts.calls()).toEqual([]);
    expect(iam.calls()).toEqual([]);
  });

  it('is not refused here without an account either', async () => {
    const r = await cli(['report', '--key', KEY, '--json']);

    expect(r.code).toBe(0);
    expect(putEntries().map((e) => e.Detail)).toEqual([JSON.stringify({ accessKeyId: KEY })]);
  });

  it.each([['1234'], ['4444555566667'], ['44445555666a'], ['']])('refuses the malformed account %p as unusable input, putting nothing', async (account) => {
    const r = await cli(['report', '--key', KEY, '--account', account, '--json']);

    expect(r.code).toBe(2);
    expect(r.json().error).toEqual({ code: 'UsageError', message: `--account "${account}" is not a 12-digit account id` });
    expect(putEntries()).toEqual([]);
  });

  it('says, when no execution starts, that a key the responder may not contain gets only a message on the topic', async () => {
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    let clock = NOW.getTime();

    const wait = waitForExecution(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE, KEY, NOW, { sleep: async (ms) => { clock += ms; }, now: () => new Date(clock), timeoutMs: 10_000, until: 'started' });

    await expect(wait).rejects.toMatchObject({ code: 'Timeout', message: expect.stringContaining('gets no execution, only a [REFUSED] or [UNRESOLVED] message on the topic') });
  });

  it('per-account mode: the account named is passed on as it is, nothing refused here (the dispatcher decides)', async () => {
    stackAnswers({ ...OUTPUTS, ReportBusName: 'ExposedKeyResponder-reports' });

    const r = await cli(['report', '--key', KEY, '--account', MEMBER, '--json']);

    expect(r.code).toBe(0);
    expect(putEntries().map((e) => e.Detail)).toEqual([JSON.stringify({ accessKeyId: KEY, accountId: MEMBER })]);
    expect(r.stderr).not.toContain('organization mode');
  });
});

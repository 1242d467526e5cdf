import { ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DescribeExecutionCommand, ListExecutionsCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ListSubscriptionsByTopicCommand } from '@aws-sdk/client-sns';
import { DescribeSeverityLevelsCommand, DescribeTrustedAdvisorChecksCommand } from '@aws-sdk/client-support';
import {
  awsError, body, cli, cloudformation, DLQ, events, noCredentials, NOW, OUTPUTS, putEntries, resetMocks, s3, secrets, sfn, sns, sqs, stackAnswers, stackMissing, STATE_MACHINE, support, TOPIC,
} from './harness';
import { aRecord, INCIDENT, KEY } from './record';

const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:ExposedKeyResponse:${INCIDENT}`;

beforeEach(() => {
  resetMocks();
});

describe('report', () => {
  it('puts the report on the report bus and waits for the execution it starts', async () => {
    stackAnswers({ ...OUTPUTS, ReportBusName: 'ExposedKeyResponder-reports' });
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'RUNNING', startDate: new Date() } as never);

    const r = await cli(['report', '--key', KEY, '--user', 'ci-deploy', '--reason', 'found in a build log', '--json']);

    expect(r.code).toBe(0);
    expect(putEntries()).toEqual([{ EventBusName: 'ExposedKeyResponder-reports', Source: 'exposed-key-responder', DetailType: 'Exposed Access Key Reported', Detail: JSON.stringify({ accessKeyId: KEY, userName: 'ci-deploy', reason: 'found in a build log' }), Time: new Date('2026-11-20T10:10:00.000Z') }]);
    expect(r.json()).toMatchObject({ eventId: 'evt-1', incidentId: INCIDENT, executionArn: EXECUTION_ARN });
  });

  it('refuses without a report bus: only the stack\'s reporters may report', async () => {
    const r = await cli(['report', '--key', KEY]);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Deploy it with -c reporters=');
    expect(putEntries()).toEqual([]);
  });

  it('says access is denied when the bus refuses the caller', async () => {
    stackAnswers({ ...OUTPUTS, ReportBusName: 'ExposedKeyResponder-reports' });
    events.on(PutEventsCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform events:PutEvents'));

    const r = await cli(['report', '--key', KEY, '--json']);

    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('AccessDenied');
  });

  it('says access is denied when the bus refuses the entry (the reporters-only policy)', async () => {
    stackAnswers({ ...OUTPUTS, ReportBusName: 'ExposedKeyResponder-reports' });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'explicit deny in a resource-based policy' }] });

    const r = await cli(['report', '--key', KEY, '--json']);

    expect(r.code).toBe(1);
    expect(r.json().error).toEqual({ code: 'AccessDenied', message: "the report was not accepted: AccessDeniedException: explicit deny in a resource-based policy (only the stack's `reporters` may report a key)" });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('takes no malformed key, user or reason: exit 2', async () => {
    expect((await cli(['report', '--key', 'not a key'])).code).toBe(2);
    expect((await cli(['report', '--key', KEY, '--user', 'bad user!'])).code).toBe(2);
    expect((await cli(['report', '--key', KEY, '--reason', 'x'.repeat(501)])).code).toBe(2);
    expect((await cli(['report'])).code).toBe(2);
  });
});

describe('list', () => {
  it('lists incidents with key, user, outcome, start and the time from the report to the key Inactive', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE, name: INCIDENT, status: 'SUCCEEDED', startDate: new Date('2026-11-20T10:00:00.000Z') }] });
    s3.on(GetObjectCommand).resolves(body(JSON.stringify(aRecord())));

    const r = await cli(['list', '--json']);

    expect(r.code).toBe(0);
    expect(r.json().incidents).toEqual([{ incidentId: INCIDENT, accountId: '123456789012', accessKeyId: KEY, userName: 'ci-deploy', status: 'SUCCEEDED', outcome: 'contained', started: '2026-11-20T10:00:00.000Z', secondsToContain: 3.5 }]);
  });

  it('still lists an incident whose record it may not read, and says so on stderr', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [{ executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE, name: INCIDENT, status: 'RUNNING', startDate: new Date('2026-11-20T10:00:00.000Z') }] });
    s3.on(GetObjectCommand).rejects(awsError('AccessDenied'));

    const r = await cli(['list', '--json']);

    expect(r.code).toBe(0);
    expect(r.json().incidents).toEqual([{ incidentId: INCIDENT, accountId: null, accessKeyId: KEY, userName: null, status: 'RUNNING', outcome: null, started: '2026-11-20T10:00:00.000Z', secondsToContain: null }]);
    expect(r.stderr).toContain('1 record(s) could not be read (AccessDenied)');
  });

  it('filters by outcome and leaves out executions older than --since', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [
      { executionArn: EXECUTION_ARN, stateMachineArn: STATE_MACHINE, name: INCIDENT, status: 'SUCCEEDED', startDate: new Date('2026-11-20T10:00:00.000Z') },
      { executionArn: `${EXECUTION_ARN}x`, stateMachineArn: STATE_MACHINE, name: 'AKIAOLD0000000000000-20261001', status: 'FAILED', startDate: new Date('2026-10-01T00:00:00.000Z') },
    ] });
    s3.on(GetObjectCommand).resolves(body(JSON.stringify(aRecord())));

    expect((await cli(['list', '--status', 'failed', '--json'])).json().incidents).toEqual([]);
    expect((await cli(['list', '--since', '90d', '--status', 'FAILED', '--json'])).json().incidents.map((i: { incidentId: string }) => i.incidentId)).toEqual(['AKIAOLD0000000000000-20261001']);
    expect((await cli(['list', '--status', 'bogus'])).code).toBe(2);
  });
});

describe('show', () => {
  it('prints the execution and report.md', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'SUCCEEDED', startDate: new Date('2026-11-20T10:00:00.000Z'), stopDate: new Date('2026-11-20T10:21:00.000Z') } as never);
    s3.on(GetObjectCommand, { Key: `incidents/${INCIDENT}/report.md` }).resolves(body('# [CONTAINED] ci-deploy'));

    const r = await cli(['show', INCIDENT]);

    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`execution ${INCIDENT}: SUCCEEDED, started 2026-11-20T10:00:00.000Z, stopped 2026-11-20T10:21:00.000Z\n\n# [CONTAINED] ci-deploy\n`);
  });

  it('gives the record as JSON', async () => {
    sfn.on(DescribeExecutionCommand).resolves({ executionArn: EXECUTION_ARN, status: 'SUCCEEDED', startDate: new Date('2026-11-20T10:00:00.000Z') } as never);
    s3.on(GetObjectCommand, { Key: `incidents/${INCIDENT}/report.json` }).resolves(body(JSON.stringify(aRecord())));

    const r = await cli(['show', INCIDENT, '--json']);

    expect(r.json()).toMatchObject({ incidentId: INCIDENT, execution: { status: 'SUCCEEDED' }, record: { outcome: 'contained' } });
  });

  it('says an incident is unknown when there is neither execution nor record', async () => {
    sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    s3.on(GetObjectCommand).rejects(awsError('NoSuchKey'));

    const r = await cli(['show', INCIDENT, '--json']);

    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('UnknownIncident');
  });
});

describe('redrive', () => {
  it('redrives the failed execution of the incident', async () => {
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date('2026-11-20T10:10:00.000Z') });

    const r = await cli(['redrive', INCIDENT, '--json']);

    expect(r.code).toBe(0);
    expect(sfn.commandCalls(RedriveExecutionCommand)[0].args[0].input).toEqual({ executionArn: EXECUTION_ARN });
    expect(r.json()).toEqual({ incidentId: INCIDENT, executionArn: EXECUTION_ARN, redriveDate: '2026-11-20T10:10:00.000Z' });
  });

  it('says why an execution cannot be redriven', async () => {
    sfn.on(RedriveExecutionCommand).rejects(awsError('ExecutionNotRedrivable', 'Execution is SUCCEEDED'));

    const r = await cli(['redrive', INCIDENT]);

    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot be redriven: Execution is SUCCEEDED');
  });

  it('says an incident is unknown', async () => {
    sfn.on(RedriveExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));

    expect((await cli(['redrive', INCIDENT, '--json'])).json().error.code).toBe('UnknownIncident');
  });
});

describe('doctor', () => {
  const rule = (logicalId: string, physicalId: string) => ({ LogicalResourceId: logicalId, PhysicalResourceId: physicalId, ResourceType: 'AWS::Events::Rule', ResourceStatus: 'CREATE_COMPLETE' as const, LastUpdatedTimestamp: NOW });

  function healthy() {
    cloudformation.on(ListStackResourcesCommand).resolvesOnce({ NextToken: 'page-2', StackResourceSummaries: [rule('HealthRisk', 'ekr-HealthRisk'), { LogicalResourceId: 'Topic', PhysicalResourceId: TOPIC, ResourceType: 'AWS::SNS::Topic', ResourceStatus: 'CREATE_COMPLETE', LastUpdatedTimestamp: NOW }] })
      .resolvesOnce({ StackResourceSummaries: [rule('Manual', 'ekr-reports|ekr-ManualReport')] });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ Protocol: 'email', Endpoint: 'secops@example.com', SubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:t:1' }] });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    support.on(DescribeSeverityLevelsCommand).resolves({ severityLevels: [] });
    support.on(DescribeTrustedAdvisorChecksCommand).resolves({ checks: [{ id: '12Fnkpl8Y5', name: 'Exposed Access Keys', description: '', category: 'security', metadata: [] }] });
  }

  it('says OK on every line of a deployment that can respond: exit 0', async () => {
    healthy();

    const r = await cli(['doctor']);

    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).every((l) => l.startsWith('OK'))).toBe(true);
    expect(r.stdout).toMatch(/^OK +rules +2 enabled$/m);
    expect(r.stdout).toMatch(/^OK +dead-letter queue +empty$/m);
  });

  it('says what to do: a disabled rule, an unconfirmed address, dead letters, Basic support, an unreadable secret: exit 1', async () => {
    healthy();
    events.on(DescribeRuleCommand, { Name: 'ekr-ManualReport', EventBusName: 'ekr-reports' }).resolves({ State: 'DISABLED' });
    sqs.on(GetQueueAttributesCommand, { QueueUrl: DLQ }).resolves({ Attributes: { ApproximateNumberOfMessages: '2' } });
    stackAnswers({ ...OUTPUTS, SlackWebhookSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack-AbCdEf' });
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ Protocol: 'email', Endpoint: 'secops@example.com', SubscriptionArn: 'PendingConfirmation' }] });
    support.on(DescribeSeverityLevelsCommand).rejects(awsError('SubscriptionRequiredException'));
    secrets.on(DescribeSecretCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform secretsmanager:DescribeSecret'));

    const r = await cli(['doctor', '--json']);

    expect(r.code).toBe(1);
    const byName = Object.fromEntries(r.json().checks.map((c: { check: string; ok: boolean; detail: string }) => [c.check, c]));
    expect(byName.rules).toMatchObject({ ok: false, detail: expect.stringContaining('ekr-ManualReport is DISABLED') });
    expect(byName.email).toMatchObject({ ok: false, detail: expect.stringContaining('secops@example.com not confirmed (PendingConfirmation)') });
    expect(byName['dead-letter queue']).toMatchObject({ ok: false, detail: expect.stringContaining('2 event(s)') });
    expect(byName['support plan']).toMatchObject({ ok: false, detail: expect.stringContaining('Basic or Developer') });
    expect(byName.slack).toMatchObject({ ok: false, detail: expect.stringContaining('access denied') });
  });
});

describe('every command: missing stack, no credentials, access denied', () => {
  const runs: Array<[string, string[]]> = [
    ['report', ['report', '--key', KEY]], ['list', ['list']], ['show', ['show', INCIDENT]], ['restore', ['restore', INCIDENT, '--yes']], ['redrive', ['redrive', INCIDENT]], ['doctor', ['doctor']],
  ];

  it.each(runs)('%s: a missing stack is named, with where to look: exit 1', async (_name, argv) => {
    stackAnswers(stackMissing());
    const r = await cli([...argv, '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error).toEqual({ code: 'StackNotFound', message: 'stack ExposedKeyResponder not found in us-east-1 (pass --stack <name> if it was deployed under another name).' });
  });

  it.each(runs)('%s: a missing stack outside us-east-1 says where the responder lives: exit 1', async (_name, argv) => {
    stackAnswers(stackMissing());
    const r = await cli([...argv, '--json'], { region: 'eu-west-1' });
    expect(r.code).toBe(1);
    expect(r.json().error.message).toBe('stack ExposedKeyResponder not found in eu-west-1 (pass --stack <name> if it was deployed under another name). The responder is deployed in us-east-1: pass --region us-east-1.');
  });

  it.each(runs)('%s: no credentials says how to sign in: exit 1', async (_name, argv) => {
    stackAnswers(noCredentials());
    const r = await cli([...argv, '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('NoCredentials');
    expect(r.stderr).toContain('Sign in as you would for the AWS CLI');
  });

  it.each(runs)('%s: access denied to the stack is said as such: exit 1', async (_name, argv) => {
    stackAnswers(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks'));
    const r = await cli([...argv, '--json']);
    expect(r.code).toBe(1);
    expect(r.json().error.code).toBe('AccessDenied');
  });

  it.each(runs)('%s --help prints its usage: exit 0', async (name) => {
    const r = await cli([name, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: exposed-key-responder ${name}`));
  });

  it('an unknown command or option is unusable input: exit 2', async () => {
    expect((await cli(['bogus'])).code).toBe(2);
    expect((await cli(['list', '--bogus'])).code).toBe(2);
  });
});

// The wire check: the bundled Lambdas of `cdk synth` against moto, an independent implementation
// of AWS's protocols, through one scripted incident. Run by `npm run test:aws-compat`
// (test/aws-compat/run.ts), never by `npm test`.
import { DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DescribeCasesCommand, SupportClient } from '@aws-sdk/client-support';
import { LambdaName } from '../../lib/bundling';
import { GapProxy } from './gap-proxy';
import { LambdaRuntime } from './lambda-runtime';
import { MotoServer, motoVersion, startMoto } from './moto';
import { provisionStack, ProvisionedStack } from './provision';
import { recordedAnswers } from './recorded-answers';
import { SCENARIO, seedIncident, subscribeHttp, trustedAdvisorEvent } from './seed';
import { loadSynthesizedStack } from './synthesized-stack';
import { runDefinition } from './workflow';

const REGION = 'us-east-1';

let moto: MotoServer;
let proxy: GapProxy | undefined;
let runtime: LambdaRuntime | undefined;
let topic: Awaited<ReturnType<typeof subscribeHttp>> | undefined;
let stack: ProvisionedStack;
let seed: Awaited<ReturnType<typeof seedIncident>>;
let dispatch: { started: Array<{ incidentId: string; executionArn: string }>; duplicates: unknown[]; skipped: unknown[] };
let run: Awaited<ReturnType<typeof runDefinition>>;
/** The execution's StartTime as the states saw it ($$.Execution.StartTime, in the tasks' revokeBefore). */
let executionStart: string;
let startedInMoto: Date;

const clients = (endpoint: string) => {
  const common = { region: REGION, endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } };
  return {
    iam: new IAMClient(common), s3: new S3Client({ ...common, forcePathStyle: true }), sns: new SNSClient(common), sfn: new SFNClient(common),
    sts: new STSClient(common), support: new SupportClient(common), ec2: (region: string) => new EC2Client({ ...common, region }),
  };
};
let aws: ReturnType<typeof clients>;

beforeAll(async () => {
  moto = await startMoto();
  aws = clients(moto.url);
  const { Account } = await aws.sts.send(new GetCallerIdentityCommand({}));
  const synthesized = loadSynthesizedStack();
  stack = await provisionStack(synthesized, aws, Account!, REGION);
  seed = await seedIncident(aws, Account!);
  topic = await subscribeHttp(aws.sns, stack.environment.notify.TOPIC_ARN);
  proxy = new GapProxy(moto.url, recordedAnswers(seed));
  const endpoint = await proxy.start();
  runtime = new LambdaRuntime(synthesized.functions, stack.environment, {
    AWS_REGION: REGION, AWS_DEFAULT_REGION: REGION, AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'ASIAMOTOLAMBDAROLE01', AWS_SECRET_ACCESS_KEY: 'testing', AWS_SESSION_TOKEN: 'testing',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const lambdas = runtime;

  // EventBridge delivers the Trusted Advisor event to the dispatcher, which starts the execution in moto.
  dispatch = (await lambdas.invoke('dispatcher', trustedAdvisorEvent(seed))) as typeof dispatch;
  const [started] = dispatch.started;
  if (!started) throw new Error(`the dispatcher started nothing: ${JSON.stringify(dispatch)}\n${lambdas.logTail('dispatcher')}`);
  const execution = await aws.sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
  startedInMoto = execution.startDate!;

  // moto keeps the execution; its states run here, in order, each Lambda task the bundle.
  run = await runDefinition({
    definition: stack.definition,
    input: JSON.parse(execution.input!),
    execution: { arn: started.executionArn, name: execution.name!, startTime: startedInMoto.toISOString(), stateMachineArn: stack.stateMachineArn },
    invoke: (arn, input) => {
      const name = stack.functionByArn.get(arn);
      if (!name) throw new Error(`the definition calls ${arn}, which is none of the stack's functions`);
      // aws-local-stepfunctions gives $$.Execution.StartTime its own start (a second or two after
      // moto's), and each Parallel branch its own: the revoke branch's is the one its policy uses.
      const task = input as { action?: string; revokeBefore?: string };
      if (name === 'contain' && task.action === 'revoke-sessions') executionStart = task.revokeBefore!;
      return lambdas.invoke(name, input);
    },
  });
}, 600_000);

afterAll(async () => {
  printSummary();
  await runtime?.close();
  await proxy?.stop();
  await topic?.close();
  await moto?.stop();
});

function printSummary(): void {
  if (!proxy || !runtime) return;
  const entries = [...proxy.coverage.values()].sort((a, b) => a.operation.localeCompare(b.operation));
  const byMoto = entries.filter((e) => e.servedBy === 'moto');
  const recorded = entries.filter((e) => e.servedBy === 'recorded answer');
  const perLambda = new Map<LambdaName, number[]>();
  for (const i of runtime.invocations) perLambda.set(i.lambda, [...(perLambda.get(i.lambda) ?? []), i.ms]);
  const lines = [
    `aws-compat: moto ${motoVersion()}, state machine ${run?.status ?? 'not run'} (${run?.states.length ?? 0} states entered)`,
    `served by moto (${byMoto.length}): ${byMoto.map((e) => `${e.operation} x${e.calls}${e.moto ? ` [${e.moto}]` : ''}`).join(', ')}`,
    `NOT covered by moto, answered from recordings (${recorded.length}):`,
    ...recorded.map((e) => `  - ${e.operation} x${e.calls}: moto ${e.moto}; ${e.reason}`),
    'NOT covered at all: the Lambdas\' IAM permissions (moto does not enforce them here), Slack (not AWS; SLACK_WEBHOOK_SECRET is empty in the template), EventBridge rule matching and Step Functions\' own execution of the definition (moto cannot invoke the Lambdas without Docker)',
    `invocations: ${[...perLambda].map(([n, ms]) => `${n} x${ms.length} (${ms.reduce((a, b) => a + b, 0)} ms)`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

describe('a leaked key reported by Trusted Advisor, the bundled Lambdas against moto', () => {
  it('the dispatcher starts one execution in moto, named after the key and the day, with the incident as input', async () => {
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(dispatch.started.map((s) => s.incidentId)).toEqual([`${seed.accessKeyId}-${today}`]);
    const execution = await aws.sfn.send(new DescribeExecutionCommand({ executionArn: dispatch.started[0].executionArn }));
    expect(execution.stateMachineArn).toBe(stack.stateMachineArn);
    expect(JSON.parse(execution.input!).incident).toMatchObject({ source: 'trusted-advisor', accessKeyId: seed.accessKeyId, userName: 'ci-deploy', accountId: seed.accountId });
  });

  it('every AWS call the Lambdas made was served by moto or by a recorded answer', () => {
    expect(proxy!.unserved()).toEqual([]);
  });

  it('the workflow ends SUCCEEDED', () => {
    expect({ status: run.status, error: run.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  });

  it('the exposed key is Inactive in moto; the user\'s other key stays Active', async () => {
    const keys = await aws.iam.send(new ListAccessKeysCommand({ UserName: 'ci-deploy' }));
    const status = Object.fromEntries((keys.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));
    expect(status).toEqual({ [seed.accessKeyId]: 'Inactive', [seed.otherKeyId]: 'Active' });
  });

  it('the user carries the deny of sessions issued before the execution started (plus the 5-minute margin), next to its own policy', async () => {
    expect(Math.abs(Date.parse(executionStart) - startedInMoto.getTime())).toBeLessThan(60_000);
    const fiveMinutesAfterStart = new Date(Date.parse(executionStart) + 5 * 60_000).toISOString();
    const names = await aws.iam.send(new ListUserPoliciesCommand({ UserName: 'ci-deploy' }));
    expect([...(names.PolicyNames ?? [])].sort()).toEqual(['ExposedKeyResponder-RevokeOlderSessions', 'deploy']);
    const revoke = await aws.iam.send(new GetUserPolicyCommand({ UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-RevokeOlderSessions' }));
    expect(JSON.parse(decodeURIComponent(revoke.PolicyDocument!))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Sid: 'RevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': fiveMinutesAfterStart } } }],
    });
    const own = await aws.iam.send(new GetUserPolicyCommand({ UserName: 'ci-deploy', PolicyName: 'deploy' }));
    expect(JSON.parse(decodeURIComponent(own.PolicyDocument!))).toEqual(SCENARIO.ownPolicy.document);
  });

  it('the stack\'s quarantine policy (the template\'s document, created in moto) is attached to the user', async () => {
    const attached = await aws.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'ci-deploy' }));
    const arns = (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn);
    expect(arns).toEqual([stack.environment.contain.QUARANTINE_POLICY_ARN]);
    expect(arns[0]).toMatch(new RegExp(`^arn:aws:iam::${seed.accountId}:policy/exposed-key-responder/`));
  });

  it('the instance the key launched has an evidence snapshot of its volume in eu-west-1, tagged with the incident', async () => {
    const incidentId = dispatch.started[0].incidentId;
    const out = await aws.ec2('eu-west-1').send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:exposed-key-responder:incident-id', Values: [incidentId] }] }));
    const snapshots = out.Snapshots ?? [];
    expect(snapshots.map((s) => s.VolumeId).sort()).toEqual([...seed.volumeIds].sort());
    expect(seed.volumeIds.length).toBeGreaterThan(0);
    const tags = Object.fromEntries((snapshots[0].Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      'exposed-key-responder:incident-id': incidentId,
      'exposed-key-responder:access-key-id': seed.accessKeyId,
      'exposed-key-responder:instance-id': seed.instance.instanceId,
    });
  });

  it('the record is in the incident bucket (report.json and report.md): contained with the instance still open, its snapshot and its price', async () => {
    const incidentId = dispatch.started[0].incidentId;
    const bucket = stack.environment.report.INCIDENT_BUCKET;
    const json = await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `incidents/${incidentId}/report.json` }));
    const record = JSON.parse(await json.Body!.transformToString()) as Record<string, any>;
    expect(record).toMatchObject({
      incidentId,
      outcome: 'contained-with-gaps',
      complete: true,
      incident: { accessKeyId: seed.accessKeyId, userName: 'ci-deploy', awsCaseId: seed.awsCaseId },
      stillOpen: [{ command: `aws ec2 stop-instances --region eu-west-1 --instance-ids ${seed.instance.instanceId}` }],
      secondLook: { held: true, newFootholds: 0 },
      // The recorded Price List answer's price, read back through the evidence step's parsing.
      costExposure: { usdPerHour: 0.0114 },
    });
    const snapshots = await aws.ec2('eu-west-1').send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: seed.volumeIds }] }));
    expect(record.evidence.snapshots).toEqual([expect.objectContaining({
      instanceId: seed.instance.instanceId, region: 'eu-west-1', status: 'created', snapshotIds: (snapshots.Snapshots ?? []).map((x) => x.SnapshotId),
    })]);
    const markdown = await (await aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: `incidents/${incidentId}/report.md` }))).Body!.transformToString();
    expect(markdown).toContain(seed.accessKeyId);
    expect(markdown).toContain(seed.instance.instanceId);
  });

  it('the topic delivered the incident message to its subscriber: the key, the user and the stop command of the instance', () => {
    const notifications = topic!.received.filter((m) => m.Type === 'Notification');
    expect(notifications.length).toBeGreaterThan(0);
    const first = notifications[0];
    expect(first.Subject).toBe(`[CONTAINED WITH GAPS] Exposed key ${seed.accessKeyId} (ci-deploy) in ${seed.accountId}`);
    expect(first.Message).toContain(seed.accessKeyId);
    expect(first.Message).toContain('ci-deploy');
    expect(first.Message).toContain(`aws ec2 stop-instances --region eu-west-1 --instance-ids ${seed.instance.instanceId}`);
  });

  it('the case AWS opened (moto) is answered with the incident summary, once', async () => {
    const cases = await aws.support.send(new DescribeCasesCommand({ caseIdList: [seed.awsCaseId], includeResolvedCases: true }));
    expect(cases.cases?.map((c) => c.caseId)).toEqual([seed.awsCaseId]);
    const added = proxy!.recordedRequests.filter((r) => r.operation === 'AddCommunicationToCase');
    expect(added.map((r) => r.params.caseId)).toEqual([seed.awsCaseId]);
    expect(added[0].params.communicationBody).toContain(seed.accessKeyId);
    expect(added[0].params.communicationBody).toContain(dispatch.started[0].incidentId);
  });
});

// The wire check: the bundled Lambdas of `cdk synth` against moto, an independent implementation
// of AWS's protocols, through two scripted incidents. Run by `npm run test:aws-compat`
// (test/aws-compat/run.ts), never by `npm test`.
import { DescribeSnapshotsCommand } from '@aws-sdk/client-ec2';
import { GetLoginProfileCommand, GetRolePolicyCommand, GetUserPolicyCommand, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListUserPoliciesCommand } from '@aws-sdk/client-iam';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { DescribeCasesCommand } from '@aws-sdk/client-support';
import { ExecutionRun, Harness, MotoClients, Response } from './harness';
import { recordedAnswers } from './recorded-answers';
import { healthEvent, SCENARIO, seedAccount, trustedAdvisorEvent } from './seed';

const harness = new Harness();
let aws: MotoClients;
let seed: Awaited<ReturnType<typeof seedAccount>>;
/** Trusted Advisor reports ci-deploy's key (AWS opened a case; the key launched an instance). */
let ta: Response;
let taRun: ExecutionRun;
/** Then AWS Health reports build-agent's key (no case, nothing launched). */
let health: Response;

beforeAll(async () => {
  seed = await harness.start(seedAccount, (s) => recordedAnswers(s.ta));
  aws = harness.aws;
  ta = await harness.respond(trustedAdvisorEvent(seed.ta));
  [taRun] = ta.executions;
  health = await harness.respond(healthEvent(harness.accountId, seed.health.accessKeyId));
}, 600_000);

afterAll(async () => {
  process.stdout.write(`${harness.summary()}\n`);
  await harness.close();
});

/** The revokeBefore ($$.Execution.StartTime) the state machine passed to a task of the first incident. */
function revokeBefore(lambda: string, which: (input: any) => boolean = () => true): string {
  const task = taRun.taskInputs.find((t) => t.lambda === lambda && which(t.input));
  if (!task) throw new Error(`no ${lambda} task ran`);
  return task.input.revokeBefore as string;
}

/** A revoke-older-sessions document: deny every action to sessions issued before `before`. */
const revokeDocument = (before: string) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'RevokeOlderSessions', Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': before } } }],
});
const fiveMinutesAfter = (time: string) => new Date(Date.parse(time) + 5 * 60_000).toISOString();

/** A record the report Lambda wrote to the incident bucket. */
async function recordObject(incidentId: string, name: 'report.json' | 'report.md'): Promise<string> {
  const out = await aws.s3.send(new GetObjectCommand({ Bucket: harness.stack.environment.report.INCIDENT_BUCKET, Key: `incidents/${incidentId}/${name}` }));
  return out.Body!.transformToString();
}

it('every AWS call the Lambdas made was served by moto or by a recorded answer', () => {
  expect(harness.proxy!.unserved()).toEqual([]);
});

describe('a leaked key reported by Trusted Advisor, the bundled Lambdas against moto', () => {
  it('the dispatcher starts one execution in moto, named after the key and the day, with the incident as input', async () => {
    const today = new Date().toISOString().slice(0, 10).replace(/-/g, '');
    expect(ta.dispatch.started.map((s) => s.incidentId)).toEqual([`${seed.ta.accessKeyId}-${today}`]);
    const execution = await aws.sfn.send(new DescribeExecutionCommand({ executionArn: taRun.executionArn }));
    expect(execution.stateMachineArn).toBe(harness.stack.stateMachineArn);
    expect(JSON.parse(execution.input!).incident).toMatchObject({ source: 'trusted-advisor', accessKeyId: seed.ta.accessKeyId, userName: 'ci-deploy', accountId: harness.accountId });
  });

  it('the workflow ends SUCCEEDED', () => {
    expect({ status: taRun.run.status, error: taRun.run.error }).toEqual({ status: 'SUCCEEDED', error: undefined });
  });

  it('the exposed key is Inactive in moto; the user\'s other key stays Active', async () => {
    const keys = await aws.iam.send(new ListAccessKeysCommand({ UserName: 'ci-deploy' }));
    const status = Object.fromEntries((keys.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]));
    expect(status).toEqual({ [seed.ta.accessKeyId]: 'Inactive', [seed.ta.otherKeyId]: 'Active' });
  });

  it('the user carries the deny of sessions issued before the execution started (plus the 5-minute margin), next to its own policy', async () => {
    // $$.Execution.StartTime as the revoke branch got it: aws-local-stepfunctions gives each
    // Parallel branch its own start, within seconds of moto's.
    const start = revokeBefore('contain', (i) => i.action === 'revoke-sessions');
    expect(Math.abs(Date.parse(start) - taRun.startedInMoto.getTime())).toBeLessThan(60_000);

    const names = await aws.iam.send(new ListUserPoliciesCommand({ UserName: 'ci-deploy' }));
    expect([...(names.PolicyNames ?? [])].sort()).toEqual(['ExposedKeyResponder-RevokeOlderSessions', 'deploy']);
    const revoke = await aws.iam.send(new GetUserPolicyCommand({ UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-RevokeOlderSessions' }));
    expect(JSON.parse(decodeURIComponent(revoke.PolicyDocument!))).toEqual(revokeDocument(fiveMinutesAfter(start)));
    const own = await aws.iam.send(new GetUserPolicyCommand({ UserName: 'ci-deploy', PolicyName: 'deploy' }));
    expect(JSON.parse(decodeURIComponent(own.PolicyDocument!))).toEqual(SCENARIO.ownPolicy.document);
  });

  it('what the key left behind is contained: support-admin\'s key Inactive, its password deleted, the user revoked and quarantined', async () => {
    const keys = await aws.iam.send(new ListAccessKeysCommand({ UserName: 'support-admin' }));
    expect((keys.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status])).toEqual([[seed.ta.backdoor.accessKeyId, 'Inactive']]);
    await expect(aws.iam.send(new GetLoginProfileCommand({ UserName: 'support-admin' }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    const inline = await aws.iam.send(new ListUserPoliciesCommand({ UserName: 'support-admin' }));
    expect(inline.PolicyNames).toEqual(['ExposedKeyResponder-RevokeOlderSessions']);
    const attached = await aws.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'support-admin' }));
    expect((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn)).toEqual([harness.stack.environment.contain.QUARANTINE_POLICY_ARN]);
  });

  it('the sessions of the role the key assumed are revoked (the console\'s AWSRevokeOlderSessions inline policy)', async () => {
    const policy = await aws.iam.send(new GetRolePolicyCommand({ RoleName: 'deploy-role', PolicyName: 'AWSRevokeOlderSessions' }));
    expect(JSON.parse(decodeURIComponent(policy.PolicyDocument!))).toEqual(revokeDocument(fiveMinutesAfter(revokeBefore('footholds'))));
  });

  it('the stack\'s quarantine policy (the template\'s document, created in moto) is attached to the user', async () => {
    const attached = await aws.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'ci-deploy' }));
    const arns = (attached.AttachedPolicies ?? []).map((p) => p.PolicyArn);
    expect(arns).toEqual([harness.stack.environment.contain.QUARANTINE_POLICY_ARN]);
    expect(arns[0]).toMatch(new RegExp(`^arn:aws:iam::${seed.ta.accountId}:policy/exposed-key-responder/`));
  });

  it('the instance the key launched has an evidence snapshot of its volume in eu-west-1, tagged with the incident', async () => {
    const incidentId = taRun.incidentId;
    const out = await aws.ec2('eu-west-1').send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:exposed-key-responder:incident-id', Values: [incidentId] }] }));
    const snapshots = out.Snapshots ?? [];
    expect(snapshots.map((s) => s.VolumeId).sort()).toEqual([...seed.ta.volumeIds].sort());
    expect(seed.ta.volumeIds.length).toBeGreaterThan(0);
    const tags = Object.fromEntries((snapshots[0].Tags ?? []).map((t) => [t.Key, t.Value]));
    expect(tags).toMatchObject({
      'exposed-key-responder:incident-id': incidentId,
      'exposed-key-responder:access-key-id': seed.ta.accessKeyId,
      'exposed-key-responder:instance-id': seed.ta.instance.instanceId,
    });
  });

  it('the record is in the incident bucket (report.json and report.md): contained with the instance still open, its snapshot and its price', async () => {
    const incidentId = taRun.incidentId;
    const record = JSON.parse(await recordObject(incidentId, 'report.json')) as Record<string, any>;
    expect(record).toMatchObject({
      incidentId,
      outcome: 'contained-with-gaps',
      complete: true,
      incident: { accessKeyId: seed.ta.accessKeyId, userName: 'ci-deploy', awsCaseId: seed.ta.awsCaseId },
      stillOpen: [{ command: `aws ec2 stop-instances --region eu-west-1 --instance-ids ${seed.ta.instance.instanceId}` }],
      secondLook: { held: true, newFootholds: 0 },
      // The recorded Price List answer's price, read back through the evidence step's parsing.
      costExposure: { usdPerHour: 0.0114 },
    });
    const snapshots = await aws.ec2('eu-west-1').send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'volume-id', Values: seed.ta.volumeIds }] }));
    expect(record.evidence.snapshots).toEqual([expect.objectContaining({
      instanceId: seed.ta.instance.instanceId, region: 'eu-west-1', status: 'created', snapshotIds: (snapshots.Snapshots ?? []).map((x) => x.SnapshotId),
    })]);
    const markdown = await recordObject(incidentId, 'report.md');
    expect(markdown).toContain(seed.ta.accessKeyId);
    expect(markdown).toContain(seed.ta.instance.instanceId);
  });

  it('the topic delivered the incident message to its subscriber: the key, the user and the stop command of the instance', () => {
    const notifications = harness.delivered.filter((m) => m.Type === 'Notification');
    expect(notifications.length).toBeGreaterThan(0);
    const first = notifications[0];
    expect(first.Subject).toBe(`[CONTAINED WITH GAPS] Exposed key ${seed.ta.accessKeyId} (ci-deploy) in ${seed.ta.accountId}`);
    expect(first.Message).toContain(seed.ta.accessKeyId);
    expect(first.Message).toContain('ci-deploy');
    expect(first.Message).toContain(`aws ec2 stop-instances --region eu-west-1 --instance-ids ${seed.ta.instance.instanceId}`);
  });

  it('the case AWS opened (moto) is answered with the incident summary, once', async () => {
    const cases = await aws.support.send(new DescribeCasesCommand({ caseIdList: [seed.ta.awsCaseId], includeResolvedCases: true }));
    expect(cases.cases?.map((c) => c.caseId)).toEqual([seed.ta.awsCaseId]);
    const added = harness.proxy!.requests.filter((r) => r.operation === 'AddCommunicationToCase');
    expect(added.map((r) => r.params.caseId)).toEqual([seed.ta.awsCaseId]);
    expect(added[0].params.communicationBody).toContain(seed.ta.accessKeyId);
    expect(added[0].params.communicationBody).toContain(taRun.incidentId);
  });
});

describe('then a key reported by AWS Health, which names no user: no case AWS opened, nothing launched', () => {
  const incidentId = () => health.executions[0].incidentId;

  it('the dispatcher finds the key\'s owner in moto\'s IAM and starts its execution', () => {
    expect(health.dispatch.started.map((s) => s.incidentId)).toEqual([`${seed.health.accessKeyId}-${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`]);
    expect(health.executions.map((e) => ({ status: e.run.status, error: e.run.error }))).toEqual([{ status: 'SUCCEEDED', error: undefined }]);
  });

  it('the key is Inactive and the user quarantined; ci-deploy\'s keys are as the first incident left them', async () => {
    const keys = await aws.iam.send(new ListAccessKeysCommand({ UserName: 'build-agent' }));
    expect((keys.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status])).toEqual([[seed.health.accessKeyId, 'Inactive']]);
    const attached = await aws.iam.send(new ListAttachedUserPoliciesCommand({ UserName: 'build-agent' }));
    expect((attached.AttachedPolicies ?? []).map((p) => p.PolicyArn)).toEqual([harness.stack.environment.contain.QUARANTINE_POLICY_ARN]);
    const first = await aws.iam.send(new ListAccessKeysCommand({ UserName: 'ci-deploy' }));
    expect(Object.fromEntries((first.AccessKeyMetadata ?? []).map((k) => [k.AccessKeyId, k.Status]))).toEqual({ [seed.ta.accessKeyId]: 'Inactive', [seed.ta.otherKeyId]: 'Active' });
  });

  it('the support Lambda opens a security case in moto, named after the incident, and the record names it', async () => {
    const cases = await aws.support.send(new DescribeCasesCommand({ includeResolvedCases: true }));
    const ours = (cases.cases ?? []).filter((c) => (c.subject ?? '').includes(incidentId()));
    expect(ours).toHaveLength(1);
    // What the Lambda sent (moto raises a case's severity at each DescribeCases, to play a case's life).
    const created = harness.proxy!.requests.filter((r) => r.operation === 'CreateCase');
    expect(created).toHaveLength(1);
    expect(created[0].params).toMatchObject({ serviceCode: 'customer-account', categoryCode: 'security', issueType: 'customer-service', severityCode: 'high', language: 'en' });
    expect(created[0].params.communicationBody).toContain(seed.health.accessKeyId);
    const record = JSON.parse(await recordObject(incidentId(), 'report.json')) as Record<string, any>;
    expect(record).toMatchObject({ outcome: 'contained', complete: true, incident: { source: 'health', accessKeyId: seed.health.accessKeyId, userName: 'build-agent' } });
    expect(JSON.stringify(record.supportCase)).toContain(ours[0].caseId);
  });

  it('the topic delivered a second message, about build-agent', () => {
    const notifications = harness.delivered.filter((m) => m.Type === 'Notification');
    expect(notifications.map((m) => m.Subject)).toEqual([
      `[CONTAINED WITH GAPS] Exposed key ${seed.ta.accessKeyId} (ci-deploy) in ${harness.accountId}`,
      `[CONTAINED] Exposed key ${seed.health.accessKeyId} (build-agent) in ${harness.accountId}`,
    ]);
  });
});

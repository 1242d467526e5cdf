import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvestigationSchema } from '../../../lambdas/investigate/contract';
import { renderMarkdown } from '../../../lambdas/report/markdown';
import { buildReport, explainError, ReportDeps, ReportInputSchema, writeReport } from '../../../lambdas/report/report';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { parseStepInput } from '../../../lambdas/shared/steps';
import { fakeLogger, KEY_ID } from '../helpers';
import { aState, containment, evidence, EXECUTION_ID, GENERATED_AT, investigation, lambdaError, verification } from './fixtures';

const s3 = mockClient(S3Client);
const BUCKET = 'exposed-key-responder-incidents-123456789012';
const INCIDENT_ID = `${KEY_ID}-20261120`;

function s3Error(name: string, message = name, httpStatusCode = 400): S3ServiceException {
  return new S3ServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', message, $metadata: { httpStatusCode } });
}

function deps(): ReportDeps & { logger: ReturnType<typeof fakeLogger> } {
  return { s3: new S3Client({}), logger: fakeLogger(), config: { bucket: BUCKET }, now: () => GENERATED_AT };
}

beforeEach(() => {
  s3.reset();
  s3.on(PutObjectCommand).resolves({});
});

describe('buildReport: outcome', () => {
  it('is contained when every step did its work and nothing failed', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report.outcome).toBe('contained');
    expect(report.headline).toBe('Exposed access key contained');
    expect(report.failures).toEqual([]);
  });

  it('is contained-with-gaps when the investigation reports a failure', () => {
    const state = aState({ investigation: investigation({ failures: [{ what: 'LookupEvents in ap-south-1', error: 'AccessDeniedException' }] }) });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.headline).toBe('Exposed access key contained, with gaps: 1 thing failed');
    expect(report.failures).toEqual([{ source: 'investigation', what: 'LookupEvents in ap-south-1', error: 'AccessDeniedException' }]);
  });

  it('is contained-with-gaps when the investigation step failed as a whole', () => {
    const state = aState({ investigation: { failed: { step: 'Investigate', error: lambdaError('Sandbox.Timedout', 'Task timed out after 300.00 seconds') } } });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.activity).toBeUndefined();
    expect(report.leftBehind).toBeUndefined();
  });

  it('is contained-with-gaps when an instance could not be snapshotted', () => {
    const failedSnapshot = { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'failed', snapshotIds: [], volumeIds: [], error: 'SnapshotLimitExceeded' };
    const report = buildReport(aState({ evidence: evidence({ snapshots: [failedSnapshot] }) }), GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
  });

  it('is escalated for a root key, even when nothing failed', () => {
    const report = buildReport(aState({ containment: containment('skipped'), verification: verification({ status: 'skipped' }) }, { userName: 'root', principalType: 'root' }), GENERATED_AT);

    expect(report.outcome).toBe('escalated');
    expect(report.headline).toBe('ROOT access key exposed: the root user must act now, by hand');
    expect(report.followUps[0]).toContain('Sign in as the root user');
  });

  it('is escalated for a protected user', () => {
    const report = buildReport(aState({ containment: containment('skipped') }, { userName: 'break-glass', protectedPrincipal: true }), GENERATED_AT);

    expect(report.outcome).toBe('escalated');
    expect(report.headline).toContain('break-glass');
  });

  it('is dry-run when the steps only said what they would do', () => {
    const dryEvidence = evidence({ dryRun: true, snapshots: [{ region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'dry-run', snapshotIds: [], volumeIds: ['vol-0a'] }] });
    const state = aState({ containment: containment('dry-run'), verification: verification({ status: 'dry-run', keyStatus: 'Active', problems: ['access key is Active'] }), evidence: dryEvidence });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('dry-run');
    expect(report.failures).toEqual([]);
    expect(report.followUps[0]).toContain('This was a dry run');
  });

  it('is dry-run when only the evidence statuses say so', () => {
    const dryEvidence = { snapshots: [{ region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'dry-run', snapshotIds: [], volumeIds: [] }] };

    expect(buildReport(aState({ evidence: dryEvidence }), GENERATED_AT).outcome).toBe('dry-run');
  });

  it('is failed when the workflow failed, whatever else happened', () => {
    const state = aState({
      containment: [containment()[0], { failed: { step: 'RevokeSessions', error: lambdaError('AccessDenied', 'not authorized to perform iam:PutUserPolicy') } }, containment()[2]],
      verification: undefined,
      investigation: undefined,
      evidence: undefined,
      failure: { step: 'Contain', error: { Error: 'ContainmentIncomplete', Cause: 'one or more containment actions failed after their retries' }, executionId: EXECUTION_ID },
    });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('failed');
    expect(report.headline).toBe('Response FAILED at step RevokeSessions');
    expect(report.followUps[0]).toContain('The response failed');
  });

  it('is failed (not escalated) for a root key when the workflow failed', () => {
    const state = aState({ failure: { step: 'Notify', error: { Error: 'States.Timeout' } } }, { userName: 'root', principalType: 'root' });

    expect(buildReport(state, GENERATED_AT).outcome).toBe('failed');
  });

  it('does not call a response with no containment result contained', () => {
    const report = buildReport(aState({ containment: undefined }), GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.failures).toEqual([{ source: 'containment', what: 'Contain', error: 'no containment result in the workflow state' }]);
  });
});

describe('buildReport: failures', () => {
  it('collects what failed from every source, in the order of the workflow', () => {
    const state = aState({
      containment: [
        { failed: { step: 'DeactivateKey', error: lambdaError('TransientAwsError', 'UpdateAccessKey: Throttling: Rate exceeded') } },
        ...containment().slice(1),
      ],
      investigation: investigation({ failures: [{ what: 'LookupEvents in me-south-1', error: 'UnrecognizedClientException: region not enabled' }] }),
      evidence: evidence({
        snapshots: [
          { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'failed', snapshotIds: [], volumeIds: [], error: 'SnapshotLimitExceeded' },
          { region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa2', status: 'created', snapshotIds: ['snap-0ok'], volumeIds: ['vol-0ok'] },
        ],
      }),
      failure: { step: 'Contain', error: { Error: 'ContainmentIncomplete', Cause: 'one or more containment actions failed after their retries' } },
    });
    (state as Record<string, unknown>).supportCase = { failed: { step: 'SupportCase', error: { Error: 'SubscriptionRequiredException', Cause: 'Basic support' } } };

    const report = buildReport(state, GENERATED_AT);

    expect(report.failures).toEqual([
      { source: 'containment', what: 'DeactivateKey', error: 'TransientAwsError: UpdateAccessKey: Throttling: Rate exceeded' },
      { source: 'investigation', what: 'LookupEvents in me-south-1', error: 'UnrecognizedClientException: region not enabled' },
      { source: 'evidence', what: 'snapshots of instance i-0aaaaaaaaaaaaaaa1 in eu-west-1', error: 'SnapshotLimitExceeded' },
      { source: 'supportCase', what: 'SupportCase', error: 'SubscriptionRequiredException: Basic support' },
      { source: 'workflow', what: 'Contain', error: 'ContainmentIncomplete: one or more containment actions failed after their retries' },
    ]);
  });

  it('collects the investigation and evidence steps that failed as a whole', () => {
    const state = aState({
      investigation: { failed: { step: 'Investigate', error: lambdaError('Sandbox.Timedout', 'Task timed out after 300.00 seconds') } },
      evidence: { failed: { step: 'PreserveEvidence', error: { Error: 'States.TaskFailed' } } },
    });

    const report = buildReport(state, GENERATED_AT);

    expect(report.failures).toEqual([
      { source: 'investigation', what: 'Investigate', error: 'Sandbox.Timedout: Task timed out after 300.00 seconds' },
      { source: 'evidence', what: 'PreserveEvidence', error: 'States.TaskFailed' },
    ]);
    expect(report.evidence).toBeUndefined();
    expect(report.followUps).toContain('The investigation is incomplete: review CloudTrail in every region for what the key did.');
  });

  it('explains a caught Lambda error by its message, and anything else as it is', () => {
    expect(explainError(lambdaError('InvalidIncidentError', 'bad input'))).toBe('InvalidIncidentError: bad input');
    expect(explainError({ Error: 'States.Timeout', Cause: 'not json' })).toBe('States.Timeout: not json');
    expect(explainError({ Error: 'States.Timeout' })).toBe('States.Timeout');
    expect(explainError('plain')).toBe('plain');
    expect(explainError(42)).toBe('unknown error');
  });
});

describe('buildReport: content', () => {
  it('keeps the incident, the execution and a timeline in time order', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report).toMatchObject({ reportVersion: 1, incidentId: INCIDENT_ID, generatedAt: GENERATED_AT.toISOString(), executionId: EXECUTION_ID });
    expect(report.incident.accessKeyId).toBe(KEY_ID);
    expect(report.timeline.map((e) => e.at)).toEqual([
      '2026-11-20T09:40:00.000Z',
      '2026-11-20T09:58:00.000Z',
      '2026-11-20T09:59:00.000Z',
      '2026-11-20T10:00:00.000Z',
      '2026-11-20T10:00:01.100Z',
      '2026-11-20T10:00:01.200Z',
      '2026-11-20T10:00:01.300Z',
      '2026-11-20T10:00:02.000Z',
      '2026-11-20T10:03:00.000Z',
    ]);
    expect(report.timeline[2].event).toContain('Exposure reported');
    expect(report.timeline[3].event).toBe('Response started');
    expect(report.timeline[4].event).toContain('revoke-sessions done');
    expect(report.timeline[7].event).toBe('Verification: verified');
    expect(report.timeline[8].event).toBe('Report written');
  });

  it('normalises containment: a failed branch is a failed entry', () => {
    const state = aState({ containment: [containment()[0], { failed: { step: 'Quarantine', error: { Error: 'AccessDenied', Cause: 'no' } } }] });

    expect(buildReport(state, GENERATED_AT).containment).toEqual([
      { action: 'deactivate-key', status: 'done', detail: `set access key ${KEY_ID} of user ci-deploy Inactive`, at: '2026-11-20T10:00:01.200Z' },
      { action: 'Quarantine', status: 'failed', detail: 'AccessDenied: no' },
    ]);
  });

  it('summarises the activity, the reach, and groups what was left behind by region', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report.activity).toMatchObject({
      lookback: { from: '2026-11-10T10:00:00.000Z', to: '2026-11-20T10:00:02.000Z', days: 10 },
      eventCount: 42,
      byRegion: { 'eu-west-1': 30, 'ap-southeast-2': 10, 'us-east-1': 2 },
      activityObject: 's3://exposed-key-responder-incidents-123456789012/incidents/AKIAIOSFODNN7EXAMPLE-20261120/activity.jsonl',
    });
    expect(report.activity?.notable).toHaveLength(2);
    expect(report.reach?.allowedHighRisk).toEqual(['iam:CreateUser', 'ec2:RunInstances']);
    expect(report.leftBehind?.instancesByRegion).toEqual({
      'eu-west-1': [
        { instanceId: 'i-0aaaaaaaaaaaaaaa1', via: 'RunInstances' },
        { instanceId: 'i-0aaaaaaaaaaaaaaa2', via: 'RunInstances' },
      ],
      'ap-southeast-2': [{ instanceId: 'i-0bbbbbbbbbbbbbbb1', via: 'StartInstances' }],
    });
    expect(report.evidence?.snapshots.flatMap((s) => s.snapshotIds)).toEqual(['snap-0eu1root', 'snap-0eu1data', 'snap-0eu2root']);
    // The instance the evidence step found gone is not listed for cleaning up.
    expect(report.followUps.join('\n')).toContain('once their snapshots are complete: eu-west-1: i-0aaaaaaaaaaaaaaa1, i-0aaaaaaaaaaaaaaa2.');
    expect(report.followUps.join('\n')).toContain('AKIABACKDOOR00000001 (backdoor)');
  });

  it('reads the investigate step\'s output as its contract defines it (the fixture fits that contract)', () => {
    const parsed = InvestigationSchema.safeParse(investigation());

    expect(parsed.success).toBe(true);
  });

  it('reads an investigation of another shape defensively: what does not fit is left out, nothing throws', () => {
    const odd = { eventCount: 'many', regions: 'all', byRegion: { 'eu-west-1': 'x', 'us-east-1': 3 }, sourceIps: [{ value: 1 }], notable: [null, 7, {}], leftBehind: { instances: [{ region: 'eu-west-1' }, 'i-0abc'] }, reach: 'admin', failures: 'none' };

    const report = buildReport(aState({ investigation: odd, evidence: { snapshots: [{ region: 'eu-west-1', instanceId: 'i-0abc', status: 'weird' }] } }), GENERATED_AT);

    expect(report.activity).toMatchObject({ eventCount: 0, regions: [], byRegion: { 'us-east-1': 3 }, sourceIps: [], notable: [] });
    expect(report.reach).toBeUndefined();
    expect(report.leftBehind?.instancesByRegion).toEqual({});
    expect(report.evidence?.snapshots).toEqual([
      { region: 'eu-west-1', instanceId: 'i-0abc', status: 'failed', snapshotIds: [], volumeIds: [], error: 'unknown status "weird"' },
    ]);
    expect(() => renderMarkdown(report)).not.toThrow();
  });

  it('round-trips through JSON: the stored report is the report, and renders the same Markdown', () => {
    const report = buildReport(aState(), GENERATED_AT);

    const stored = JSON.parse(JSON.stringify(report));

    expect(stored).toEqual(report);
    expect(JSON.stringify(stored)).toBe(JSON.stringify(report));
    expect(renderMarkdown(stored)).toBe(renderMarkdown(report));
  });

  it('is pure: the same state and time give the same report', () => {
    expect(buildReport(aState(), GENERATED_AT)).toEqual(buildReport(aState(), GENERATED_AT));
  });
});

describe('writeReport', () => {
  it('writes report.json and report.md under incidents/<incidentId>/ with their content types', async () => {
    const result = await writeReport(aState(), deps());

    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map(({ Bucket, Key, ContentType }) => ({ Bucket, Key, ContentType }))).toEqual([
      { Bucket: BUCKET, Key: `incidents/${INCIDENT_ID}/report.json`, ContentType: 'application/json' },
      { Bucket: BUCKET, Key: `incidents/${INCIDENT_ID}/report.md`, ContentType: 'text/markdown' },
    ]);
    const expected = buildReport(aState(), GENERATED_AT);
    expect(JSON.parse(puts[0].Body as string)).toEqual(expected);
    expect(puts[1].Body).toBe(renderMarkdown(expected));
    expect(result).toEqual({
      bucket: BUCKET,
      jsonKey: `incidents/${INCIDENT_ID}/report.json`,
      markdownKey: `incidents/${INCIDENT_ID}/report.md`,
      consoleUrl: `https://s3.console.aws.amazon.com/s3/object/${BUCKET}?prefix=incidents/${INCIDENT_ID}/report.md`,
      outcome: 'contained',
      failures: 0,
    });
  });

  it('returns the outcome and the number of failures, small enough for the workflow state', async () => {
    const state = aState({ investigation: investigation({ failures: [{ what: 'a', error: 'b' }, { what: 'c', error: 'd' }] }) });

    const result = await writeReport(state, deps());

    expect(result).toMatchObject({ outcome: 'contained-with-gaps', failures: 2 });
    expect(JSON.stringify(result).length).toBeLessThan(1000);
  });

  it.each([
    ['SlowDown', 503],
    ['ServiceUnavailable', 503],
    ['InternalError', 500],
  ])('turns %s on PutObject into TransientAwsError so the workflow retries', async (code, status) => {
    const throttled = s3Error(code, 'Please reduce your request rate.', status);
    s3.on(PutObjectCommand).rejects(throttled);

    const result = writeReport(aState(), deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toMatchObject({ cause: throttled, message: expect.stringContaining(`incidents/${INCIDENT_ID}/report.json`) });
    expect(s3).toHaveReceivedCommandTimes(PutObjectCommand, 1);
  });

  it.each([
    ['AccessDenied', 403],
    ['NoSuchBucket', 404],
  ])('rethrows %s unchanged', async (code, status) => {
    const error = s3Error(code, code, status);
    s3.on(PutObjectCommand).rejects(error);

    await expect(writeReport(aState(), deps())).rejects.toBe(error);
  });

  it('accepts the state as the workflow hands it, with keys it does not know', () => {
    const parsed = parseStepInput(ReportInputSchema, { ...aState(), followUp: { contained: [] }, error: { Error: 'x' } }, 'report');

    expect(parsed.incident.incidentId).toBe(INCIDENT_ID);
    expect(buildReport(parsed, GENERATED_AT).outcome).toBe('contained');
  });
});

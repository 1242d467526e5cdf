import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InvestigationSchema } from '../../../lambdas/investigate/contract';
import { renderMarkdown } from '../../../lambdas/report/markdown';
import { buildReport, ReportDeps, writeReport } from '../../../lambdas/report/report';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { parseWorkflowState } from '../../../lambdas/shared/state';
import { fakeLogger, KEY_ID } from '../helpers';
import { aState, containment, EXECUTION_ID, GENERATED_AT, investigation, lambdaError } from './fixtures';

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

describe('buildReport: content', () => {
  it('keeps the incident, the execution and a timeline in time order', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report).toMatchObject({ reportVersion: 2, incidentId: INCIDENT_ID, generatedAt: GENERATED_AT.toISOString(), executionId: EXECUTION_ID });
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
    expect(report.timeline[8].event).toBe('Record written');
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
      complete: true,
      writtenAt: '2026-11-20T10:03:00.000Z',
    });
  });

  it('returns the outcome, the number of failures and whether the response is complete (gaps inside a step do not make it incomplete), small enough for the workflow state', async () => {
    const state = aState({ investigation: investigation({ failures: [{ what: 'a', error: 'b' }, { what: 'c', error: 'd' }] }) });

    const result = await writeReport(state, deps());

    expect(result).toMatchObject({ outcome: 'contained-with-gaps', failures: 2, complete: true });
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
    const parsed = parseWorkflowState({ ...aState(), notification: { channel: 'email' }, error: { Error: 'x' } }, 'report');

    expect(parsed.incident.incidentId).toBe(INCIDENT_ID);
    expect(buildReport(parsed, GENERATED_AT).outcome).toBe('contained');
  });

  it('records its own earlier write as neither a failure nor a location: it is about to replace it', async () => {
    const state = aState({ report: { failed: { step: 'WriteReport', error: lambdaError('TransientAwsError', 'S3 PutObject: SlowDown') } } });

    const result = await writeReport(state, deps());

    const written = JSON.parse(s3.commandCalls(PutObjectCommand)[0].args[0].input.Body as string) as { failures: unknown[]; outcome: string };
    expect(written.failures).toEqual([]);
    expect(result).toMatchObject({ outcome: 'contained', complete: true });
  });
});

describe('writeReport: complete', () => {
  it('is not complete when a step failed as a whole, so the workflow fails', async () => {
    const state = aState({ support: { failed: { step: 'AnswerSupportCase', error: lambdaError('AccessDeniedException', 'no') } } });

    await expect(writeReport(state, deps())).resolves.toMatchObject({ outcome: 'contained-with-gaps', failures: 1, complete: false });
  });
});

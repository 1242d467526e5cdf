import {
  AddCommunicationToCaseCommand,
  CaseDetails,
  CaseIdNotFound,
  CreateCaseCommand,
  DescribeCasesCommand,
  DescribeCommunicationsCommand,
  SupportClient,
  SupportServiceException,
  ThrottlingException,
} from '@aws-sdk/client-support';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import {
  caseSubject,
  fitBody,
  incidentMarker,
  informSupport,
  MAX_COMMUNICATION_BODY,
  MAX_SUBJECT,
  NO_SUPPORT_API_REASON,
  SupportConfig,
  SupportDeps,
  SupportInput,
  SupportResultSchema,
  supportSummary,
} from '../../../lambdas/support/support';
import { fakeLogger, KEY_ID } from '../helpers';
import { aState, investigation, lambdaError } from '../report/fixtures';
import { buildReport, IncidentReport } from '../../../lambdas/report/record';
import { parseWorkflowState } from '../../../lambdas/shared/state';

const support = mockClient(SupportClient);

const INCIDENT_ID = `${KEY_ID}-20261120`;
const MARKER = `[exposed-key-responder incident ${INCIDENT_ID}]`;
const TA_CASE_ID = 'case-123456789012-muen-2026-0000000000000001';
/** The number the Support Center shows for that case: what Trusted Advisor's "Case ID" holds. */
const TA_DISPLAY_ID = '1234560001';
const TA_CASE = { caseId: TA_CASE_ID, displayId: TA_DISPLAY_ID, subject: 'Action Required: Your AWS Access Key is Exposed', status: 'opened' };
const TA_LOOKUP = { caseIdList: [TA_CASE_ID], includeResolvedCases: true, includeCommunications: false };
const AWS_CASE_ID = 'case-123456789012-muen-2026-7118885805350839';
const OWN_CASE_ID = 'case-123456789012-muen-2026-0000000000000042';
const NEW_CASE_ID = 'case-123456789012-muen-2026-0000000000000099';
const REPORT_URL = `https://s3.console.aws.amazon.com/s3/object/incident-bucket?prefix=incidents/${INCIDENT_ID}/report.md`;
/** detectedAt (2026-11-20T09:59:00.000Z) minus two days. */
const AFTER_TIME = '2026-11-18T09:59:00.000Z';
const OPEN_CASES = { includeResolvedCases: false, includeCommunications: true, afterTime: AFTER_TIME };
const ALL_CASES = { includeResolvedCases: true, includeCommunications: false, afterTime: AFTER_TIME };
const OWN_SUBJECT = `Exposed access key ${KEY_ID} (ci-deploy) contained [${INCIDENT_ID}]`;

function deps(config: Partial<SupportConfig> = {}): SupportDeps & { logger: ReturnType<typeof fakeLogger> } {
  return { support: new SupportClient({ region: 'us-east-1' }), logger: fakeLogger(), config: { dryRun: false, severity: 'high', ...config } };
}

/** The workflow state when the support step runs: everything done, the report written. */
function aSupportState(incident: Partial<SupportInput['incident']> = {}, overrides: Partial<SupportInput> = {}): SupportInput {
  return {
    ...aState({}, incident),
    report: { bucket: 'incident-bucket', jsonKey: `incidents/${INCIDENT_ID}/report.json`, markdownKey: `incidents/${INCIDENT_ID}/report.md`, consoleUrl: REPORT_URL, outcome: 'contained', failures: 0, complete: true },
    ...overrides,
  };
}

/** The record the support step builds from the state (its text does not depend on the time). */
function recordOf(state: SupportInput): IncidentReport {
  return buildReport(state, new Date(0));
}

function summaryOf(state: SupportInput): string {
  return supportSummary(recordOf(state));
}

function supportError(name: string, message = name, httpStatusCode = 400): SupportServiceException {
  return new SupportServiceException({ name, $fault: httpStatusCode >= 500 ? 'server' : 'client', message, $metadata: { httpStatusCode } });
}

const noPlan = () => supportError('SubscriptionRequiredException', 'AWS Premium Support Subscription is required to use this service.');

/** The case AWS opens when it detects an exposed key: the key is named in its message, not its subject. */
function awsCase(overrides: Partial<CaseDetails> = {}): CaseDetails {
  return {
    caseId: AWS_CASE_ID,
    displayId: '1234563851',
    subject: 'Action Required: Your AWS Access Key is Exposed for AWS Account 123456789012',
    status: 'opened',
    timeCreated: '2026-11-20T09:59:30.000Z',
    recentCommunications: {
      communications: [
        { caseId: AWS_CASE_ID, body: `Your AWS access key ${KEY_ID} for IAM user ci-deploy was found publicly available on github.com.`, submittedBy: 'Amazon Web Services' },
      ],
    },
    ...overrides,
  };
}

function ownCase(overrides: Partial<CaseDetails> = {}): CaseDetails {
  return {
    caseId: OWN_CASE_ID,
    displayId: '1234567000',
    subject: OWN_SUBJECT,
    status: 'opened',
    timeCreated: '2026-11-20T10:00:05.000Z',
    recentCommunications: { communications: [{ caseId: OWN_CASE_ID, body: `${MARKER}\nExposed access key contained: ...` }] },
    ...overrides,
  };
}

function unrelatedCase(): CaseDetails {
  return {
    caseId: 'case-123456789012-muen-2026-0000000000000007',
    subject: 'Increase the EC2 vCPU quota in eu-west-1',
    status: 'opened',
    recentCommunications: { communications: [{ body: 'Please raise the quota to 256 vCPUs.' }] },
  };
}

const inputsOf = <T>(calls: Array<{ args: [{ input: T }] }>) => calls.map((c) => c.args[0].input);
const describeCasesInputs = () => inputsOf(support.commandCalls(DescribeCasesCommand));
const writes = () => [...support.commandCalls(AddCommunicationToCaseCommand), ...support.commandCalls(CreateCaseCommand)];

beforeEach(() => {
  support.reset();
  support.on(DescribeCasesCommand).resolves({ cases: [] });
  // AWS's case exists: by its API id and by the number Trusted Advisor gives.
  support.on(DescribeCasesCommand, { caseIdList: [TA_CASE_ID] }).resolves({ cases: [TA_CASE] });
  support.on(DescribeCasesCommand, { displayId: TA_DISPLAY_ID }).resolves({ cases: [TA_CASE] });
  support.on(DescribeCommunicationsCommand).resolves({ communications: [] });
  support.on(AddCommunicationToCaseCommand).resolves({ result: true });
  support.on(CreateCaseCommand).resolves({ caseId: NEW_CASE_ID });
});

describe('informSupport: the case AWS opened (Trusted Advisor case id)', () => {
  it('adds one communication to that case, marked with the incident and stating the key, user and containment', async () => {
    const input = aSupportState({ awsCaseId: TA_CASE_ID });

    const result = await informSupport(input, deps());

    expect(inputsOf(support.commandCalls(DescribeCommunicationsCommand))).toEqual([{ caseId: TA_CASE_ID }]);
    const added = inputsOf(support.commandCalls(AddCommunicationToCaseCommand));
    expect(added).toEqual([{ caseId: TA_CASE_ID, communicationBody: summaryOf(input) }]);
    const body = added[0].communicationBody ?? '';
    expect(body.split('\n')[0]).toBe(MARKER);
    expect(body).toContain(`access key ${KEY_ID} of IAM user ci-deploy in account 123456789012`);
    expect(body).toContain(`[done] set access key ${KEY_ID} of user ci-deploy Inactive (2026-11-20T10:00:01.200Z)`);
    expect(body).toContain('quarantine policy attached');
    expect(body).toContain(`Report:       ${REPORT_URL}`);
    expect(describeCasesInputs()).toEqual([TA_LOOKUP]);
    expect(support).not.toHaveReceivedCommand(CreateCaseCommand);
    expect(result).toEqual({ status: 'communication-added', caseId: TA_CASE_ID, displayId: TA_DISPLAY_ID });
    expect(SupportResultSchema.safeParse(result).success).toBe(true);
  });

  it('adds nothing when a retried step finds the marker on a later page of the case\'s communications', async () => {
    support
      .on(DescribeCommunicationsCommand, { caseId: TA_CASE_ID, nextToken: undefined })
      .resolves({ communications: [{ body: 'Thank you, we are looking into it.' }], nextToken: 'page-2' })
      .on(DescribeCommunicationsCommand, { caseId: TA_CASE_ID, nextToken: 'page-2' })
      .resolves({ communications: [{ body: `${MARKER}\nExposed access key contained: ...` }] });

    const result = await informSupport(aSupportState({ awsCaseId: TA_CASE_ID }), deps());

    expect(inputsOf(support.commandCalls(DescribeCommunicationsCommand))).toEqual([
      { caseId: TA_CASE_ID },
      { caseId: TA_CASE_ID, nextToken: 'page-2' },
    ]);
    expect(writes()).toHaveLength(0);
    expect(result).toEqual({ status: 'already-answered', caseId: TA_CASE_ID, displayId: TA_DISPLAY_ID });
  });

  it('finds the case by the display id Trusted Advisor gives, and answers it under its API id', async () => {
    const result = await informSupport(aSupportState({ awsCaseId: TA_DISPLAY_ID }), deps());

    expect(describeCasesInputs()).toEqual([{ displayId: TA_DISPLAY_ID, includeResolvedCases: true, includeCommunications: false }]);
    expect(inputsOf(support.commandCalls(AddCommunicationToCaseCommand)).map((c) => c.caseId)).toEqual([TA_CASE_ID]);
    expect(result).toEqual({ status: 'communication-added', caseId: TA_CASE_ID, displayId: TA_DISPLAY_ID });
  });

  it('falls back to the search when no case has the display id Trusted Advisor gives, and says so in notes', async () => {
    support.on(DescribeCasesCommand, { includeResolvedCases: false }).resolves({ cases: [awsCase()] });

    const result = await informSupport(aSupportState({ awsCaseId: '9999999999' }), deps());

    expect(support).toHaveReceivedCommandWith(AddCommunicationToCaseCommand, { caseId: AWS_CASE_ID });
    expect(result).toMatchObject({ status: 'communication-added', caseId: AWS_CASE_ID, notes: [expect.stringContaining('support case 9999999999 (named by Trusted Advisor) was not found')] });
  });

  it('falls back to the search when the Support API does not know the case id, and says so in notes', async () => {
    support.on(DescribeCasesCommand).resolves({ cases: [awsCase()] });
    support.on(DescribeCasesCommand, { caseIdList: [TA_CASE_ID] }).rejects(new CaseIdNotFound({ message: 'Case not found', $metadata: { httpStatusCode: 400 } }));
    support.on(DescribeCommunicationsCommand, { caseId: AWS_CASE_ID }).resolves({ communications: [] });

    const result = await informSupport(aSupportState({ awsCaseId: TA_CASE_ID }), deps());

    expect(support).toHaveReceivedCommandTimes(AddCommunicationToCaseCommand, 1);
    expect(support).toHaveReceivedCommandWith(AddCommunicationToCaseCommand, { caseId: AWS_CASE_ID });
    expect(result).toEqual({
      status: 'communication-added',
      caseId: AWS_CASE_ID,
      displayId: '1234563851',
      notes: [expect.stringContaining(`support case ${TA_CASE_ID} (named by Trusted Advisor) was not found`)],
    });
  });
});

describe('informSupport: no case id, an open case about the key', () => {
  it('finds AWS\'s case naming the key on a later page of DescribeCases and answers it', async () => {
    support
      .on(DescribeCasesCommand, { nextToken: undefined })
      .resolves({ cases: [unrelatedCase()], nextToken: 'cases-2' })
      .on(DescribeCasesCommand, { nextToken: 'cases-2' })
      .resolves({ cases: [awsCase()] });
    const input = aSupportState();

    const result = await informSupport(input, deps());

    expect(describeCasesInputs()).toEqual([OPEN_CASES, { ...OPEN_CASES, nextToken: 'cases-2' }]);
    expect(inputsOf(support.commandCalls(DescribeCommunicationsCommand))).toEqual([{ caseId: AWS_CASE_ID }]);
    expect(inputsOf(support.commandCalls(AddCommunicationToCaseCommand))).toEqual([
      { caseId: AWS_CASE_ID, communicationBody: summaryOf(input) },
    ]);
    expect(support).not.toHaveReceivedCommand(CreateCaseCommand);
    expect(result).toEqual({ status: 'communication-added', caseId: AWS_CASE_ID, displayId: '1234563851' });
  });

  it('prefers AWS\'s case to one this responder opened for an earlier report of the key', async () => {
    const earlier = ownCase({
      caseId: 'case-earlier',
      subject: `Exposed access key ${KEY_ID} (ci-deploy) contained [${KEY_ID}-20261119]`,
      timeCreated: '2026-11-19T08:00:00.000Z',
      recentCommunications: { communications: [{ body: `[exposed-key-responder incident ${KEY_ID}-20261119]` }] },
    });
    support.on(DescribeCasesCommand).resolves({ cases: [earlier, awsCase()] });

    const result = await informSupport(aSupportState(), deps());

    expect(inputsOf(support.commandCalls(AddCommunicationToCaseCommand)).map((i) => i.caseId)).toEqual([AWS_CASE_ID]);
    expect(result.caseId).toBe(AWS_CASE_ID);
  });

  it('adds nothing when one of the key\'s cases already carries this incident\'s marker (a duplicate event)', async () => {
    const answered = awsCase({
      caseId: 'case-answered',
      recentCommunications: { communications: [{ body: `${MARKER}\nExposed access key contained` }, { body: `key ${KEY_ID} exposed` }] },
      timeCreated: '2026-11-20T09:59:50.000Z',
    });
    support.on(DescribeCasesCommand).resolves({ cases: [awsCase(), answered] });

    const result = await informSupport(aSupportState(), deps());

    expect(writes()).toHaveLength(0);
    expect(support).not.toHaveReceivedCommand(DescribeCommunicationsCommand);
    expect(result).toEqual({ status: 'already-answered', caseId: 'case-answered', displayId: '1234563851' });
  });

  it('does not answer an open case that does not name the key', async () => {
    support.on(DescribeCasesCommand).resolves({ cases: [unrelatedCase()] });

    const result = await informSupport(aSupportState(), deps());

    expect(support).not.toHaveReceivedCommand(AddCommunicationToCaseCommand);
    expect(result.status).toBe('case-created');
  });

  it('rethrows CaseIdNotFound for a case it found itself (no fallback loop)', async () => {
    support.on(DescribeCasesCommand).resolves({ cases: [awsCase()] });
    const gone = new CaseIdNotFound({ message: 'Case not found', $metadata: { httpStatusCode: 400 } });
    support.on(AddCommunicationToCaseCommand).rejects(gone);

    await expect(informSupport(aSupportState(), deps())).rejects.toBe(gone);
    expect(support).not.toHaveReceivedCommand(CreateCaseCommand);
  });
});

describe('informSupport: no case at all', () => {
  it('opens one security case with the exact fields, the severity from config and the summary as its body', async () => {
    const input = aSupportState();

    const result = await informSupport(input, deps({ severity: 'urgent' }));

    expect(describeCasesInputs()).toEqual([OPEN_CASES, ALL_CASES]);
    expect(inputsOf(support.commandCalls(CreateCaseCommand))).toEqual([
      {
        subject: OWN_SUBJECT,
        serviceCode: 'customer-account',
        categoryCode: 'security',
        issueType: 'customer-service',
        severityCode: 'urgent',
        language: 'en',
        communicationBody: summaryOf(input),
      },
    ]);
    expect(summaryOf(input).startsWith(`${MARKER}\n`)).toBe(true);
    expect(support).not.toHaveReceivedCommand(AddCommunicationToCaseCommand);
    expect(result).toEqual({ status: 'case-created', caseId: NEW_CASE_ID });
  });

  it('does not open a second case when a second run finds the one it opened for this incident', async () => {
    support.on(DescribeCasesCommand).resolves({ cases: [ownCase()] });

    const result = await informSupport(aSupportState(), deps());

    expect(writes()).toHaveLength(0);
    expect(result).toEqual({ status: 'already-answered', caseId: OWN_CASE_ID, displayId: '1234567000' });
  });

  it('finds the marker through DescribeCommunications when its own case\'s first message is no longer among the recent ones', async () => {
    support.on(DescribeCasesCommand).resolves({ cases: [ownCase({ recentCommunications: { communications: [{ body: 'Any update?' }], nextToken: 'more' } })] });
    support.on(DescribeCommunicationsCommand, { caseId: OWN_CASE_ID }).resolves({ communications: [{ body: 'Any update?' }, { body: `${MARKER}\n...` }] });

    const result = await informSupport(aSupportState(), deps());

    expect(inputsOf(support.commandCalls(DescribeCommunicationsCommand))).toEqual([{ caseId: OWN_CASE_ID }]);
    expect(writes()).toHaveLength(0);
    expect(result).toEqual({ status: 'already-answered', caseId: OWN_CASE_ID, displayId: '1234567000' });
  });

  it('does not open a second case when its own case for this incident is already resolved', async () => {
    support
      .on(DescribeCasesCommand, { includeResolvedCases: false })
      .resolves({ cases: [] })
      .on(DescribeCasesCommand, { includeResolvedCases: true })
      .resolves({ cases: [unrelatedCase(), { caseId: OWN_CASE_ID, displayId: '1234567000', subject: OWN_SUBJECT, status: 'resolved' }] });

    const result = await informSupport(aSupportState(), deps());

    expect(writes()).toHaveLength(0);
    expect(result).toEqual({
      status: 'already-answered',
      caseId: OWN_CASE_ID,
      displayId: '1234567000',
      notes: [`support case 1234567000 (${OWN_CASE_ID}), opened by this responder for this incident, is resolved: nothing was added and no other case opened`],
    });
  });
});

describe('informSupport: a support plan without the Support API', () => {
  it('is unavailable, with manual steps naming AWS\'s case, and does not throw', async () => {
    support.on(DescribeCasesCommand).rejects(noPlan());
    const d = deps();

    const result = await informSupport(aSupportState({ awsCaseId: TA_CASE_ID }), d);

    expect(writes()).toHaveLength(0);
    expect(result).toEqual({ status: 'unavailable', reason: NO_SUPPORT_API_REASON, manualSteps: expect.any(Array) });
    expect(result.reason).toBe("the account's support plan (Basic or Developer) does not include the AWS Support API");
    expect(result.manualSteps?.[0]).toContain(`open support case ${TA_CASE_ID}`);
    expect(result.manualSteps?.[0]).toContain('Support Center console');
    expect(result.manualSteps?.[0]).toContain(REPORT_URL);
    expect(result.manualSteps?.[1]).toContain('contact AWS through the Support Center console');
    expect(d.logger.warn).toHaveBeenCalled();
  });

  it('is unavailable when the search itself is refused, telling a human to find AWS\'s case for the key', async () => {
    support.on(DescribeCasesCommand).rejects(noPlan());

    const result = await informSupport(aSupportState(), deps());

    expect(writes()).toHaveLength(0);
    expect(result.status).toBe('unavailable');
    expect(result.manualSteps?.[0]).toContain(`the case AWS opened when it detected access key ${KEY_ID}`);
  });

  it('keeps the fallback note when the search after a missing case id is refused', async () => {
    support.on(DescribeCasesCommand).rejects(noPlan());
    support.on(DescribeCasesCommand, { caseIdList: [TA_CASE_ID] }).rejects(new CaseIdNotFound({ message: 'Case not found', $metadata: {} }));

    const result = await informSupport(aSupportState({ awsCaseId: TA_CASE_ID }), deps());

    expect(result).toMatchObject({ status: 'unavailable', notes: [expect.stringContaining(TA_CASE_ID)] });
  });
});

describe('informSupport: dry run', () => {
  it('looks the case up but writes nothing, saying it would answer AWS\'s case', async () => {
    support.on(DescribeCasesCommand).resolves({ cases: [awsCase()] });

    const result = await informSupport(aSupportState(), deps({ dryRun: true }));

    expect(support).toHaveReceivedCommand(DescribeCasesCommand);
    expect(writes()).toHaveLength(0);
    expect(result).toEqual({
      status: 'dry-run',
      caseId: AWS_CASE_ID,
      displayId: '1234563851',
      wouldDo: `answer support case 1234563851 (${AWS_CASE_ID}) (an open case whose messages name this key) with the incident summary`,
    });
  });

  it('says it would open a new case when there is none, and opens nothing', async () => {
    const result = await informSupport(aSupportState(), deps({ dryRun: true }));

    expect(describeCasesInputs()).toEqual([OPEN_CASES, ALL_CASES]);
    expect(writes()).toHaveLength(0);
    expect(result).toEqual({ status: 'dry-run', wouldDo: `open a new support case "${OWN_SUBJECT}" (security, severity high)` });
  });

  it('writes nothing to the Trusted Advisor case either', async () => {
    const result = await informSupport(aSupportState({ awsCaseId: TA_CASE_ID }), deps({ dryRun: true }));

    expect(writes()).toHaveLength(0);
    expect(result).toMatchObject({ status: 'dry-run', caseId: TA_CASE_ID, wouldDo: `answer support case ${TA_DISPLAY_ID} (${TA_CASE_ID}) (the case AWS opened when it detected the key) with the incident summary` });
  });
});

describe('informSupport: failures', () => {
  it('turns throttling of DescribeCases into TransientAwsError keeping the cause', async () => {
    const throttled = new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    support.on(DescribeCasesCommand).rejects(throttled);

    const result = informSupport(aSupportState(), deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toMatchObject({ message: 'Support DescribeCases: ThrottlingException: Rate exceeded', cause: throttled });
  });

  it('turns TooManyRequestsException on AddCommunicationToCase into TransientAwsError', async () => {
    support.on(AddCommunicationToCaseCommand).rejects(supportError('TooManyRequestsException', 'slow down'));

    await expect(informSupport(aSupportState({ awsCaseId: TA_CASE_ID }), deps())).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('turns a 500 on CreateCase into TransientAwsError', async () => {
    support.on(CreateCaseCommand).rejects(supportError('InternalServerError', 'Internal error', 500));

    await expect(informSupport(aSupportState(), deps())).rejects.toBeInstanceOf(TransientAwsError);
  });

  it('rethrows anything else unchanged', async () => {
    const denied = supportError('AccessDeniedException', 'not authorized to perform support:CreateCase', 403);
    support.on(CreateCaseCommand).rejects(denied);

    await expect(informSupport(aSupportState(), deps())).rejects.toBe(denied);
  });
});

describe('supportSummary', () => {
  it('stays within 8,000 characters with a huge investigation, keeping the marker, the report and the containment', () => {
    const many = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
    const input = aSupportState({}, {
      investigation: investigation({
        notable: many(500, (i) => ({ eventTime: '2026-11-20T09:41:00.000Z', region: 'eu-west-1', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', summary: `launched i-${i} ${'x'.repeat(180)}` })),
        byRegion: Object.fromEntries(many(40, (i) => `region-${i}`).map((r, i) => [r, i])),
        leftBehind: {
          users: many(100, (i) => `backdoor-${i}-${'u'.repeat(50)}`),
          accessKeys: many(100, (i) => ({ userName: `backdoor-${i}`, accessKeyId: `AKIABACKDOOR${String(i).padStart(8, '0')}` })),
          loginProfiles: many(100, (i) => `backdoor-${i}`),
          roles: many(100, (i) => `role-${i}`),
          policies: many(100, (i) => `arn:aws:iam::123456789012:policy/p-${i}`),
          instances: many(200, (i) => ({ region: 'eu-west-1', instanceId: `i-${String(i).padStart(17, '0')}`, via: 'RunInstances' })),
        },
        failures: many(50, (i) => ({ what: `LookupEvents region-${i}`, error: `ThrottlingException: ${'e'.repeat(300)}` })),
      }),
    });

    const body = summaryOf(input);

    expect(body.length).toBeLessThanOrEqual(MAX_COMMUNICATION_BODY);
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(MAX_COMMUNICATION_BODY);
    expect(body.split('\n')[0]).toBe(MARKER);
    expect(body).toContain(REPORT_URL);
    expect(body).toContain(`set access key ${KEY_ID} of user ci-deploy Inactive`);
    expect(body).toMatch(/truncated to fit the support case/);
  });

  it('cuts by UTF-8 bytes and never inside a character', () => {
    const text = `${MARKER}\n${'é€😀'.repeat(3000)}`;

    const body = fitBody(text);

    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(MAX_COMMUNICATION_BODY);
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(body.startsWith(MARKER)).toBe(true);
  });

  it('says what was found: activity counts, regions, what the key left behind and the snapshots', () => {
    const body = summaryOf(aSupportState());

    expect(body).toContain('42 event(s), first 2026-11-20T09:40:00.000Z, last 2026-11-20T09:58:00.000Z');
    expect(body).toContain('by region: eu-west-1 30, ap-southeast-2 10, us-east-1 2');
    expect(body).toContain('3 region(s) searched');
    expect(body).toContain('  - user backdoor');
    expect(body).toContain('  - access key AKIABACKDOOR00000001 of user backdoor');
    expect(body).toContain('  - instance i-0aaaaaaaaaaaaaaa1 in eu-west-1 (RunInstances)');
    expect(body).toContain('  - instance i-0aaaaaaaaaaaaaaa1 in eu-west-1: created: snap-0eu1root, snap-0eu1data');
    expect(body).not.toContain('What could not be done');
  });

  it('says what could not be done when steps failed, and that no report was written', () => {
    const input = aSupportState({}, {
      investigation: { failed: { step: 'Investigate', error: lambdaError('AccessDenied', 'not authorized to perform cloudtrail:LookupEvents') } },
      report: { failed: { step: 'Report', error: lambdaError('NoSuchBucket', 'The specified bucket does not exist') } },
    });

    const body = summaryOf(input);

    expect(body).toContain('What could not be done:');
    expect(body).toContain('investigation: Investigate: AccessDenied: not authorized to perform cloudtrail:LookupEvents');
    expect(body).toContain('report: Report: NoSuchBucket: The specified bucket does not exist');
    expect(body).toContain('Report:       no incident record was written yet');
    expect(body).toContain('What the key did: not known');
  });

  it('reads parts of another shape as those steps\' failures instead of failing', () => {
    const input = parseWorkflowState({ ...aSupportState(), containment: 'nonsense', verification: { status: 'maybe' }, evidence: 42 }, 'support');

    const body = summaryOf(input);

    expect(body.startsWith(MARKER)).toBe(true);
    expect(body).toContain('containment: containment: UnreadableStepOutput');
  });

  it('says the outcome and what is still open first, with the command, and what the report said', () => {
    const input = aSupportState({ reportedUserName: 'alice' }, {
      containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'no') } }],
      verification: undefined,
    });

    const lines = summaryOf(input).split('\n');

    expect(lines.slice(0, 6)).toEqual([
      MARKER,
      `Containment FAILED (DeactivateKey): access key ${KEY_ID} may still work: access key ${KEY_ID} of IAM user ci-deploy in account 123456789012.`,
      '',
      'Still open on our side:',
      `  - Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.`,
      `    aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive`,
    ]);
    expect(lines).toContain('The report named user alice, who does not own this key: alice was not changed.');
  });
});

describe('caseSubject', () => {
  it('stays within 255 characters for a very long user name, keeping the key and the incident id', () => {
    const subject = caseSubject(recordOf(aSupportState({ userName: 'u'.repeat(400) })));

    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT);
    expect(subject.startsWith(`Exposed access key ${KEY_ID} (uuu`)).toBe(true);
    expect(subject.endsWith(`...) contained [${INCIDENT_ID}]`)).toBe(true);
  });

  it('does not say contained when nothing was changed (root key)', () => {
    expect(caseSubject(recordOf(aSupportState({ userName: 'root', principalType: 'root' })))).toBe(
      `Exposed access key ${KEY_ID} (root) NOT contained [${INCIDENT_ID}]`,
    );
  });

  it('is found again by the marker of the same incident only', () => {
    expect(incidentMarker(INCIDENT_ID)).toBe(MARKER);
  });
});

describe('supportSummary: containment lines', () => {
  it('names a failed branch by its step, and says "would" in a dry run without a [done]', () => {
    const failed = summaryOf(aSupportState({}, { containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'no') } }] }));
    const dry = summaryOf(aSupportState({}, { containment: [{ action: 'deactivate-key', status: 'dry-run', detail: `would set access key ${KEY_ID} of user ci-deploy Inactive`, at: '2026-11-20T10:00:01.000Z' }] }));

    expect(failed).toContain('  - [FAILED] DeactivateKey: AccessDenied: no');
    expect(dry).toContain(`  - would set access key ${KEY_ID} of user ci-deploy Inactive\n`);
    expect(dry).not.toContain('[done]');
  });
});

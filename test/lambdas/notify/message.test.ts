import { buildMessage, explain, failedSteps, MAX_SUBJECT, subjectFor } from '../../../lambdas/notify/message';
import { Incident } from '../../../lambdas/shared/incident';
import { REVOKE_SESSIONS_POLICY_NAME } from '../../../lambdas/shared/policies';
import { NotifyInput, StepFailure, StepResult, Verification } from '../../../lambdas/shared/steps';
import { ACCOUNT_ID, anIncident, KEY_ID, OTHER_KEY_ID, REVOKE_BEFORE } from '../helpers';

const EXECUTION_ID = 'arn:aws:states:us-east-1:123456789012:execution:exposed-key-response:AKIAIOSFODNN7EXAMPLE-20261120';
const AT = '2026-11-20T10:00:01.000Z';
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

function done(action: StepResult['action'], detail: string): StepResult {
  return { action, status: 'done', detail, at: AT };
}

const CONTAINED: StepResult[] = [
  done('deactivate-key', `set access key ${KEY_ID} of user ci-deploy Inactive`),
  done('revoke-sessions', `deny every session of user ci-deploy issued before ${REVOKE_BEFORE} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`),
  done('quarantine', 'attach quarantine policy arn:aws:iam::123456789012:policy/q to user ci-deploy'),
];

const VERIFIED: Verification = {
  status: 'verified',
  keyStatus: 'Inactive',
  otherKeys: [{ accessKeyId: OTHER_KEY_ID, status: 'Active' }],
  sessionsRevokedBefore: REVOKE_BEFORE,
  quarantineAttached: true,
  checkedAt: '2026-11-20T10:00:03.000Z',
  problems: [],
};

/** A Lambda error as Step Functions puts it in a Catch: Cause is the JSON the Lambda runtime wrote. */
function lambdaError(errorType: string, errorMessage: string): { Error: string; Cause: string } {
  return {
    Error: errorType,
    Cause: JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at rethrowAws (/var/task/index.js:1:1)'] }),
  };
}

function branchFailure(step: string, errorType: string, errorMessage: string): StepFailure {
  return { failed: { step, error: lambdaError(errorType, errorMessage) } };
}

function containedInput(incident: Incident = anIncident()): NotifyInput {
  return { incident, executionId: EXECUTION_ID, containment: CONTAINED, verification: VERIFIED };
}

function rootInput(): NotifyInput {
  const incident = anIncident({ userName: 'root', principalType: 'root' });
  const skipped = (['deactivate-key', 'revoke-sessions', 'quarantine'] as const).map(
    (action): StepResult => ({ action, status: 'skipped', detail: 'root access keys cannot be deactivated from inside the account', at: AT }),
  );
  return {
    incident,
    executionId: EXECUTION_ID,
    containment: skipped,
    verification: { status: 'skipped', otherKeys: [], quarantineAttached: false, checkedAt: AT, problems: [] },
  };
}

function protectedInput(): NotifyInput {
  const incident = anIncident({ userName: 'break-glass', protectedPrincipal: true });
  const skipped = (['deactivate-key', 'revoke-sessions', 'quarantine'] as const).map(
    (action): StepResult => ({ action, status: 'skipped', detail: 'user break-glass is protected by configuration', at: AT }),
  );
  return { incident, executionId: EXECUTION_ID, containment: skipped };
}

function dryRunInput(): NotifyInput {
  return {
    incident: anIncident(),
    executionId: EXECUTION_ID,
    containment: CONTAINED.map((s) => ({ ...s, status: 'dry-run' as const, detail: `would ${s.detail}` })),
    verification: {
      status: 'dry-run',
      keyStatus: 'Active',
      otherKeys: [],
      quarantineAttached: false,
      checkedAt: AT,
      problems: [`access key ${KEY_ID} is Active`],
    },
  };
}

/** The state after ContainmentIncomplete: DeactivateKey failed after its retries, the others finished. */
function branchFailedInput(): NotifyInput {
  return {
    incident: anIncident(),
    containment: [branchFailure('DeactivateKey', 'TransientAwsError', 'UpdateAccessKey: Throttling: Rate exceeded'), CONTAINED[1], CONTAINED[2]],
    failure: {
      step: 'Contain',
      error: { Error: 'ContainmentIncomplete', Cause: 'one or more containment actions failed after their retries' },
      executionId: EXECUTION_ID,
    },
  };
}

function verifyFailedInput(): NotifyInput {
  return {
    incident: anIncident(),
    containment: CONTAINED,
    failure: { step: 'Verify', error: lambdaError('ContainmentNotVerifiedError', `access key ${KEY_ID} is Active`), executionId: EXECUTION_ID },
  };
}

describe('subjectFor', () => {
  it.each([
    ['CONTAINED', containedInput()],
    ['DRY RUN', dryRunInput()],
    ['ACTION REQUIRED', rootInput()],
    ['ACTION REQUIRED', protectedInput()],
    ['FAILED', branchFailedInput()],
    ['FAILED', verifyFailedInput()],
  ])('tags the subject [%s] and names account, user and key in at most 100 printable ASCII characters', (tag, input) => {
    const subject = subjectFor(input);

    expect(subject.startsWith(`[${tag}] `)).toBe(true);
    expect(subject).toContain(input.incident.accountId);
    expect(subject).toContain(input.incident.userName);
    expect(subject).toContain(input.incident.accessKeyId);
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT);
    expect(subject).toMatch(PRINTABLE_ASCII);
  });

  it('reads as a sentence for a contained key', () => {
    expect(subjectFor(containedInput())).toBe(`[CONTAINED] Exposed key ${KEY_ID} (ci-deploy) in ${ACCOUNT_ID}`);
  });

  it('keeps account and key in the subject when the user name is as long as IAM allows', () => {
    const userName = `svc-${'x'.repeat(56)}-prod`; // 64 characters
    const input = { ...rootInput(), incident: anIncident({ userName, protectedPrincipal: true }) };

    const subject = subjectFor(input);

    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT);
    expect(subject).toContain(ACCOUNT_ID);
    expect(subject).toContain(KEY_ID);
    expect(subject.startsWith(`[ACTION REQUIRED] Exposed key ${KEY_ID} (svc-xxx`)).toBe(true);
    expect(subject.endsWith(`...) in ${ACCOUNT_ID}`)).toBe(true);
    expect(subject).toMatch(PRINTABLE_ASCII);
  });

  it('replaces line breaks and non-ASCII characters so SNS accepts the subject', () => {
    const input = containedInput(anIncident({ userName: 'dévelop\npeur' }));

    const subject = subjectFor(input);

    expect(subject).toBe(`[CONTAINED] Exposed key ${KEY_ID} (d?velop?peur) in ${ACCOUNT_ID}`);
  });

  it('says FAILED even for a root incident when a step failed', () => {
    const input: NotifyInput = { ...rootInput(), failure: { step: 'Verify', error: { Error: 'States.Timeout' } } };

    expect(subjectFor(input).startsWith('[FAILED] ')).toBe(true);
  });
});

describe('buildMessage: contained', () => {
  it('says what was done, what was verified, and which other keys were left as they were', () => {
    const { body } = buildMessage(containedInput());

    const lines = body.split('\n');
    expect(lines[0]).toBe('Exposed access key contained');
    expect(lines).toEqual(
      expect.arrayContaining([
        `Account:      ${ACCOUNT_ID}`,
        'User:         ci-deploy',
        `Access key:   ${KEY_ID}`,
        `Execution:    ${EXECUTION_ID}`,
        `  - [done] set access key ${KEY_ID} of user ci-deploy Inactive (${AT})`,
        `  key ${KEY_ID}: Inactive`,
        `  sessions revoked before: ${REVOKE_BEFORE}`,
        '  quarantine policy attached: yes',
        `  other key ${OTHER_KEY_ID}: Active (left as it was)`,
      ]),
    );
    expect(body).toContain(`delete inline policy ${REVOKE_SESSIONS_POLICY_NAME} and detach the quarantine policy from ci-deploy`);
    expect(body).toContain(`filter on incidentId "${KEY_ID}-20261120"`);
  });

  it('names where the key leaked and the support case AWS opened, when AWS says', () => {
    const input = containedInput(anIncident({ leakLocation: 'https://github.com/acme/app/blob/main/.env', awsCaseId: 'case-123456789012-abcd' }));

    const { body } = buildMessage(input);

    expect(body).toContain('Leaked at:    https://github.com/acme/app/blob/main/.env');
    expect(body).toContain('AWS case:     case-123456789012-abcd');
  });

  it('returns the same subject as subjectFor', () => {
    const input = containedInput();

    expect(buildMessage(input).subject).toBe(subjectFor(input));
  });
});

describe('buildMessage: dry run', () => {
  it('says nothing was changed and lists what would be fixed', () => {
    const { subject, body } = buildMessage(dryRunInput());

    expect(subject.startsWith('[DRY RUN] ')).toBe(true);
    expect(body.split('\n')[0]).toBe('Dry run: nothing was changed');
    expect(body).toContain(`  - [dry-run] would set access key ${KEY_ID} of user ci-deploy Inactive (${AT})`);
    expect(body).toContain(`  would fix: access key ${KEY_ID} is Active`);
  });
});

describe('buildMessage: people must act', () => {
  it('gives the manual root steps for a root key', () => {
    const { body } = buildMessage(rootInput());

    expect(body.split('\n')[0]).toBe('ROOT access key exposed: act now, by hand');
    expect(body).toContain('User:         root (the account root user)');
    expect(body).toContain(`Sign in as the root user NOW (Security credentials page) and deactivate, then delete, access key ${KEY_ID}.`);
    expect(body).toContain('Change the root password and check its MFA device.');
    expect(body).toContain('Verification: not applicable (nothing was to be changed).');
    expect(body).not.toContain(REVOKE_SESSIONS_POLICY_NAME);
  });

  it('gives the protected user the exact command to deactivate the key', () => {
    const { body } = buildMessage(protectedInput());

    expect(body.split('\n')[0]).toBe('Protected user break-glass: nothing was changed, act now');
    expect(body).toContain(`aws iam update-access-key --user-name break-glass --access-key-id ${KEY_ID} --status Inactive`);
  });
});

describe('buildMessage: failures', () => {
  it('names the failed containment branch and its readable error message, not the raw Cause JSON', () => {
    const { subject, body } = buildMessage(branchFailedInput());

    expect(subject).toBe(`[FAILED] Exposed key ${KEY_ID} (ci-deploy) in ${ACCOUNT_ID}`);
    expect(body.split('\n')[0]).toBe('Response FAILED at step DeactivateKey');
    expect(body).toContain('  - [FAILED] DeactivateKey: TransientAwsError: UpdateAccessKey: Throttling: Rate exceeded');
    expect(body).toContain('What failed: step Contain: ContainmentIncomplete: one or more containment actions failed after their retries');
    expect(body).not.toContain('errorType');
    expect(body).not.toContain('trace');
  });

  it('still lists the branches that succeeded', () => {
    const { body } = buildMessage(branchFailedInput());

    expect(body).toContain(`  - [done] ${CONTAINED[1].detail} (${AT})`);
    expect(body).toContain(`  - [done] ${CONTAINED[2].detail} (${AT})`);
  });

  it('names every failed branch', () => {
    const input = branchFailedInput();
    input.containment = [input.containment![0], CONTAINED[1], branchFailure('Quarantine', 'AccessDenied', 'not authorized to perform iam:AttachUserPolicy')];

    const { body } = buildMessage(input);

    expect(body.split('\n')[0]).toBe('Response FAILED at step DeactivateKey, Quarantine');
    expect(body).toContain('  - [FAILED] Quarantine: AccessDenied: not authorized to perform iam:AttachUserPolicy');
  });

  it('names a failed Verify step and why, and takes the execution id from the failure', () => {
    const { body } = buildMessage(verifyFailedInput());

    expect(body.split('\n')[0]).toBe('Response FAILED at step Verify');
    expect(body).toContain(`What failed: step Verify: ContainmentNotVerifiedError: access key ${KEY_ID} is Active`);
    expect(body).toContain(`Execution:    ${EXECUTION_ID}`);
  });

  it('says containment did not run when the Parallel itself failed', () => {
    const input: NotifyInput = {
      incident: anIncident(),
      failure: { step: 'Contain', error: { Error: 'States.Timeout', Cause: 'The state machine timed out' } },
    };

    const { body } = buildMessage(input);

    expect(body).toContain('  (containment did not run)');
    expect(body).toContain('What failed: step Contain: States.Timeout: The state machine timed out');
  });
});

describe('explain', () => {
  it('shows the errorMessage of a Lambda-style Cause', () => {
    expect(explain(lambdaError('InvalidIncidentError', 'UpdateAccessKey: access key X of user Y not found'))).toBe(
      'InvalidIncidentError: UpdateAccessKey: access key X of user Y not found',
    );
  });

  it.each([
    [{ Error: 'States.Timeout', Cause: 'Task timed out after 60.00 seconds' }, 'States.Timeout: Task timed out after 60.00 seconds'],
    [{ Error: 'States.Timeout' }, 'States.Timeout'],
    [{ Error: 'X', Cause: '{"other":"json"}' }, 'X: {"other":"json"}'],
    [{ Error: 'X', Cause: 'null' }, 'X: null'],
  ])('shows any other cause as it is (%j)', (error, expected) => {
    expect(explain(error)).toBe(expected);
  });
});

describe('failedSteps', () => {
  it('prefers the failed branches to the step the workflow names', () => {
    expect(failedSteps(branchFailedInput())).toEqual(['DeactivateKey']);
  });

  it('falls back to the step the workflow names, and to nothing without a failure', () => {
    expect(failedSteps(verifyFailedInput())).toEqual(['Verify']);
    expect(failedSteps(containedInput())).toEqual([]);
  });
});

describe('buildMessage: what was found after containment', () => {
  const investigation = {
    lookback: { from: '2026-11-06T10:00:00.000Z', to: '2026-11-20T10:00:00.000Z', days: 14 },
    regions: ['us-east-1', 'eu-west-1'],
    pages: 3,
    eventCount: 42,
    firstSeen: '2026-11-20T09:58:00.000Z',
    lastSeen: '2026-11-20T09:59:30.000Z',
    byRegion: { 'eu-west-1': 40, 'us-east-1': 2 },
    byService: {},
    sourceIps: [{ value: '203.0.113.10', count: 42 }],
    userAgents: [],
    notable: [],
    leftBehind: {
      users: ['backdoor'], accessKeys: [{ userName: 'backdoor', accessKeyId: 'AKIABACKDOORKEY00001' }], loginProfiles: [], roles: [], policies: [],
      instances: [{ region: 'eu-west-1', instanceId: 'i-0miner', via: 'RunInstances' }],
    },
    reach: { attachedPolicies: [], inlinePolicies: [], groups: [], allowedHighRisk: [], deniedHighRisk: [] },
    failures: [],
    dryRun: false,
  };
  const evidence = { snapshots: [{ region: 'eu-west-1', instanceId: 'i-0miner', status: 'created', snapshotIds: ['snap-1', 'snap-2'], volumeIds: ['vol-1', 'vol-2'] }], dryRun: false };
  const report = { bucket: 'incidents', jsonKey: 'incidents/x/report.json', markdownKey: 'incidents/x/report.md', consoleUrl: 'https://s3.console.aws.amazon.com/s3/object/incidents?prefix=incidents/x/report.md', outcome: 'contained', failures: 0 };

  it('summarises the activity, what the key left behind, the snapshots and links the report', () => {
    const input: NotifyInput = { incident: anIncident(), containment: CONTAINED, verification: VERIFIED, investigation, evidence, report };

    const { subject, body } = buildMessage(input);

    expect(subject).toMatch(/^\[CONTAINED\] /);
    expect(body).toContain('42 event(s), first 2026-11-20T09:58:00.000Z, last 2026-11-20T09:59:30.000Z; by region: eu-west-1 40, us-east-1 2');
    expect(body).toContain('  - user backdoor');
    expect(body).toContain('  - access key AKIABACKDOORKEY00001 of backdoor');
    expect(body).toContain('  - instance i-0miner in eu-west-1 (RunInstances)');
    expect(body).toContain('  - i-0miner (eu-west-1): created: snap-1, snap-2');
    expect(body).toContain(`Incident report: ${report.consoleUrl}`);
    expect(body).not.toContain('What could not be done');
  });

  it('marks the subject and lists what could not be done: a failed step, a region not searched, a snapshot not taken', () => {
    const input: NotifyInput = {
      incident: anIncident(),
      containment: CONTAINED,
      verification: VERIFIED,
      investigation: { ...investigation, failures: [{ what: 'CloudTrail ap-south-1', error: 'ThrottlingException after 5 attempts' }] },
      evidence: { snapshots: [{ region: 'eu-west-1', instanceId: 'i-0miner', status: 'failed', snapshotIds: [], volumeIds: [], error: 'SnapshotLimitExceeded' }], dryRun: false },
      report: { failed: { step: 'WriteReport', error: lambdaError('AccessDenied', 'no s3:PutObject') } },
    };

    const { subject, body } = buildMessage(input);

    expect(subject).toMatch(/^\[CONTAINED, GAPS\] /);
    expect(body).toContain('  - WriteReport: AccessDenied: no s3:PutObject');
    expect(body).toContain('  - CloudTrail ap-south-1: ThrottlingException after 5 attempts');
    expect(body).toContain('  - snapshot of i-0miner (eu-west-1): SnapshotLimitExceeded');
  });
});

describe('buildMessage: AWS support and Slack', () => {
  const base: NotifyInput = { incident: anIncident(), containment: CONTAINED, verification: VERIFIED };

  it('says which support case was answered or opened', () => {
    expect(buildMessage({ ...base, support: { status: 'communication-added', caseId: 'case-1', displayId: '1234567890' } }).body).toContain(
      'AWS support: the case 1234567890 was answered with what was done and found.',
    );
    expect(buildMessage({ ...base, support: { status: 'case-created', caseId: 'case-2' } }).body).toContain('AWS support: security case case-2 opened');
  });

  it('names the support plan and adds its manual steps when no case is possible, without calling it a failure', () => {
    const support = { status: 'unavailable', reason: "the account's support plan (Basic or Developer) does not include the AWS Support API", manualSteps: ['Open the case AWS opened in the Support Center console and reply with this summary.'] };

    const { subject, body } = buildMessage({ ...base, support });

    expect(subject).toMatch(/^\[CONTAINED\] /);
    expect(body).toContain("AWS support: no case could be opened or answered: the account's support plan (Basic or Developer) does not include the AWS Support API.");
    expect(body).toContain('  - Open the case AWS opened in the Support Center console and reply with this summary.');
  });

  it('reports a failed Slack notification as a gap', () => {
    const { subject, body } = buildMessage({ ...base, slack: { status: 'failed', error: 'webhook answered 500' } });

    expect(subject).toMatch(/^\[CONTAINED, GAPS\] /);
    expect(body).toContain('  - Slack notification: webhook answered 500');
  });
});

describe('buildMessage: step outputs of an unexpected shape', () => {
  it('still writes the email when a step returned something it does not expect', () => {
    const input = {
      incident: anIncident(),
      containment: CONTAINED,
      verification: VERIFIED,
      investigation: { eventCount: 3, failures: 5, leftBehind: { users: 'x' }, sourceIps: {} },
      evidence: { snapshots: 'none' },
      report: { failed: { step: 'WriteReport', error: 'boom' } },
    } as unknown as NotifyInput;

    const { subject, body } = buildMessage(input);

    expect(subject).toMatch(/^\[CONTAINED, GAPS\] /);
    expect(body).toContain('  - WriteReport: boom');
    expect(body).toContain('3 event(s)');
  });
});

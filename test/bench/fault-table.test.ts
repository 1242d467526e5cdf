// A reduced fault table (bench/fault-table.ts, `npm run faults` plays the whole one): a few
// operations x errors covering each invariant, played through the built-in drill.
import { synthesizedRules } from '../../drill/stack-rules';
import { Baseline, baselineOf, cellsFor, checkCell, EXPIRED_SESSION, FAULT_CONTEXT, FAULT_KINDS, faultsFor, operationsOf, ORGANIZATION_CONTEXT, playBuiltin, playCell, Row } from '../../bench/fault-table';
import { RulePattern } from '../../drill/rules';

const kind = (label: string) => FAULT_KINDS.find((k) => k.label === label)!;

let rules: RulePattern[];
let baseline: Baseline;
let operations: string[];

beforeAll(async () => {
  rules = synthesizedRules(FAULT_CONTEXT);
  const clean = await playBuiltin(rules);
  baseline = baselineOf(clean);
  operations = operationsOf(clean);
});

async function play(operation: string, label: string): Promise<Row> {
  return playCell(rules, { operation, kind: kind(label) }, baseline);
}

describe('fault table: the operations come from a drill run', () => {
  it('lists the dispatcher\'s, containment\'s, the record\'s and the notifications\' calls, each once', () => {
    // The built-in miner is still running (stopLaunchedInstances is off): contained, with that gap.
    expect(baseline).toMatchObject({ execution: 'SUCCEEDED', keyStatus: 'Inactive', outcome: 'contained-with-gaps' });
    expect(operations).toEqual(expect.arrayContaining(['sfn:StartExecution', 'iam:UpdateAccessKey', 'iam:ListAccessKeys', 's3:PutObject', 'ec2:CreateSnapshots', 'sns:Publish', 'slack:PostMessage']));
    expect(new Set(operations).size).toBe(operations.length);
  });

  it('plays NoSuchEntity only on IAM reads and writes of the user or its keys', () => {
    expect(faultsFor('iam:UpdateAccessKey').map((k) => k.error)).toContain('NoSuchEntity');
    expect(faultsFor('iam:GetPolicy').map((k) => k.error)).not.toContain('NoSuchEntity');
    expect(faultsFor('s3:PutObject').map((k) => k.error)).not.toContain('NoSuchEntity');
  });
});

describe('fault table: transient faults are absorbed', () => {
  it.each([
    ['iam:UpdateAccessKey', 'Throttling x2'],
    ['sfn:StartExecution', 'Throttling x2'],
    ['slack:PostMessage', 'InternalFailure x1'],
    ['s3:PutObject', 'InternalFailure x1'],
  ])('%s x %s: the execution ends as without it, key Inactive', async (operation, label) => {
    const row = await play(operation, label);

    expect(row).toMatchObject({ execution: 'SUCCEEDED', keyStatus: 'Inactive', recordWritten: true, emailStep: '-', violations: [] });
  });
});

describe('fault table: persistent faults are named, evidence and record kept', () => {
  it.each([
    ['iam:UpdateAccessKey', 'AccessDenied always', 'Active', 'containment: DeactivateKey'],
    ['iam:ListAccessKeys', 'Throttling always', 'Inactive', 'verification: Verify'],
    ['support:DescribeCases', 'AccessDenied always', 'Inactive', 'support: AnswerSupportCase'],
  ])('%s x %s: key %s, the email names %s, snapshot and record kept', async (operation, label, keyStatus, step) => {
    const row = await play(operation, label);

    expect(row).toMatchObject({ execution: 'FAILED', keyStatus, recordWritten: true, emailStep: step, violations: [] });
    expect(row.snapshots).toBeGreaterThan(0);
  });

  it("s3:PutObject x AccessDenied always: the record's own write fails, the email still names the failure", async () => {
    const row = await play('s3:PutObject', 'AccessDenied always');

    expect(row).toMatchObject({ execution: 'FAILED', keyStatus: 'Inactive', recordWritten: false, violations: [] });
    expect(row.emailStep).not.toBe('-');
  });

  it('sns:Publish x AccessDenied always: no email can be sent, the record names it and the execution fails for the alarm', async () => {
    const row = await play('sns:Publish', 'AccessDenied always');

    expect(row).toMatchObject({ execution: 'FAILED', keyStatus: 'Inactive', recordWritten: true, violations: [] });
    expect(row.snapshots).toBeGreaterThan(0);
  });

  it('ec2:CreateSnapshots x AccessDenied always: the snapshot itself fails, named in the email, the record kept', async () => {
    const row = await play('ec2:CreateSnapshots', 'AccessDenied always');

    expect(row).toMatchObject({ keyStatus: 'Inactive', recordWritten: true, snapshots: 0, violations: [] });
    expect(row.emailStep).toMatch(/^evidence: /);
  });
});

describe('fault table: the dispatcher\'s calls, the search, the revoke read-back and the price', () => {
  it('sfn:StartExecution x AccessDenied always: not lost: in the dead-letter queue after Lambda\'s 3 attempts, its alarm emails people', async () => {
    const output = await playBuiltin(rules, [{ operation: 'sfn:StartExecution', error: 'AccessDenied', times: 1000 }]);

    const row = checkCell(output, { operation: 'sfn:StartExecution', kind: kind('AccessDenied always') }, baseline);

    expect(row).toMatchObject({ invariant: 'dead-lettered', keyStatus: 'Active', violations: [] });
    expect(output.deadLetters[0]).toMatchObject({ attempts: 3, responsePayload: { errorType: 'AccessDenied', errorMessage: expect.stringContaining('sfn:StartExecution') } });
    expect(output.alarms.map((a) => a.metric)).toEqual(['AWS/Lambda Errors', 'AWS/SQS ApproximateNumberOfMessagesVisible']);
    const alarmEmail = output.notifications.find((n) => n.subject.startsWith('ALARM: ') && n.body.includes('in the dead-letter queue'));
    expect(alarmEmail?.body).toContain('an exposure report was NOT dispatched and no response started');
  });

  it('iam:GetAccessKeyLastUsed x AccessDenied always: contained through ListAccessKeys, and the email says IAM refused the lookup', async () => {
    const row = await play('iam:GetAccessKeyLastUsed', 'AccessDenied always');

    expect(row).toMatchObject({ invariant: 'named', execution: 'SUCCEEDED', keyStatus: 'Inactive', recordWritten: true, emailStep: 'dispatcher: iam:GetAccessKeyLastUsed', violations: [] });
  });

  it('cloudtrail:LookupEvents x AccessDenied always: the record and the email say the investigation is incomplete and what to search by hand', async () => {
    const row = await play('cloudtrail:LookupEvents', 'AccessDenied always');

    expect(row).toMatchObject({ invariant: 'incomplete search', keyStatus: 'Inactive', recordWritten: true, snapshots: 0, violations: [] });
  });

  it.each([
    ['Throttling always', 'Throttling: simulated Throttling on s3:GetObject (gave up after 5 attempts)'],
    ['AccessDenied always', 'AccessDenied: simulated AccessDenied on s3:GetObject'],
  ])('s3:GetObject x %s: the wave\'s shared search unreadable, a degradation: the key searched on its own, said in the email with the error', async (label, error) => {
    const output = await playBuiltin(rules, [{ operation: 's3:GetObject', error: kind(label).error, times: kind(label).times }]);

    const row = checkCell(output, { operation: 's3:GetObject', kind: kind(label) }, baseline);

    expect(row).toMatchObject({ invariant: 'degraded', execution: 'SUCCEEDED', keyStatus: 'Inactive', recordWritten: true, violations: [] });
    expect(output.report).toMatchObject({ outcome: baseline.outcome, activity: { sharedSearchProblems: expect.arrayContaining([{ region: 'us-east-1', searchedAlone: true, error: `s3:GetObject: ${error}` }]) } });
    const [email] = output.notifications.filter((n) => n.channel === 'email');
    expect(email.body).toContain(`The wave's shared CloudTrail search could not be used (s3:GetObject: ${error}): this key's CloudTrail was searched on its own in eu-west-1, us-east-1: complete, but slower`);
  });

  it('iam:GetUserPolicy x NoSuchEntity always: the revoke policy written but never read back, named as such (not as a throttled write), evidence and record kept', async () => {
    const output = await playBuiltin(rules, [{ operation: 'iam:GetUserPolicy', error: 'NoSuchEntity', times: 1000 }]);

    const row = checkCell(output, { operation: 'iam:GetUserPolicy', kind: kind('NoSuchEntity always') }, baseline);

    expect(row).toMatchObject({ invariant: 'named', execution: 'FAILED', keyStatus: 'Inactive', recordWritten: true, emailStep: 'containment: RevokeSessions', violations: [] });
    expect(row.snapshots).toBeGreaterThan(0);
    const [email] = output.notifications.filter((n) => n.channel === 'email');
    expect(email.body).toMatch(/\[FAILED\] RevokeSessions: TransientAwsError: GetUserPolicy: the revoke policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy was written \(PutUserPolicy succeeded, denying sessions issued before \S+\) but reading it back answered NoSuchEntity/);
    expect(email.body).not.toContain('ThrottledError');
    expect(email.body).toMatch(/Sessions of ci-deploy issued before \S+ are not confirmed revoked \(RevokeSessions did not finish, see What failed\)/);
  });

  it('pricing:GetProducts x Throttling always: an expected degradation: the instance without a price, said in the email', async () => {
    const row = await play('pricing:GetProducts', 'Throttling always');

    expect(row).toMatchObject({ invariant: 'degraded', recordWritten: true, violations: [] });
    expect(row.emailStep).toMatch(/^degraded: price unknown: Price List API: Throttling \(/);
  });
});

describe('fault table, organization mode: the member role assumed by the dispatcher and by every step', () => {
  let orgRules: RulePattern[];
  let orgBaseline: Baseline;

  beforeAll(async () => {
    orgRules = synthesizedRules(ORGANIZATION_CONTEXT);
    orgBaseline = baselineOf(await playBuiltin(orgRules, [], ORGANIZATION_CONTEXT));
  });

  const playOrg = (operation: string, label: string, after = 0) => playCell(orgRules, { operation, kind: kind(label), ...(after ? { after } : {}) }, orgBaseline, ORGANIZATION_CONTEXT);

  it('plays sts:AssumeRole as the dispatcher\'s and as the steps\', and a member call with an expired session', () => {
    expect(orgBaseline).toMatchObject({ execution: 'SUCCEEDED', keyStatus: 'Inactive', outcome: 'contained-with-gaps', accountId: '111122223333' });
    expect(cellsFor('sts:AssumeRole', true).map((c) => `${c.after ?? 0} ${c.kind.label}`)).toEqual([
      '0 Throttling x2', '0 InternalFailure x1', '0 Throttling always', '0 AccessDenied always',
      '1 Throttling x2', '1 InternalFailure x1', '1 Throttling always', '1 AccessDenied always',
    ]);
    expect(cellsFor('iam:UpdateAccessKey', true).map((c) => c.kind.label)).toContain('ExpiredToken x1');
    expect(cellsFor('iam:UpdateAccessKey', false).map((c) => c.kind.label)).not.toContain('ExpiredToken x1');
  });

  it('sts:AssumeRole x Throttling x2 of the steps: retried as a transient error, contained as without it', async () => {
    const row = await playOrg('sts:AssumeRole', 'Throttling x2', 1);

    expect(row).toMatchObject({ operation: 'sts:AssumeRole (steps)', invariant: 'absorbed', execution: 'SUCCEEDED', keyStatus: 'Inactive', recordWritten: true, violations: [] });
  });

  it('sts:AssumeRole x AccessDenied always of the steps: the record and the email name the step and the member account, the record kept', async () => {
    const output = await playBuiltin(orgRules, [{ operation: 'sts:AssumeRole', error: 'AccessDenied', times: 1000, after: 1 }], ORGANIZATION_CONTEXT);

    const row = checkCell(output, { operation: 'sts:AssumeRole', kind: kind('AccessDenied always'), after: 1 }, orgBaseline);

    expect(row).toMatchObject({ invariant: 'named', execution: 'FAILED', keyStatus: 'Active', recordWritten: true, emailStep: 'containment: DeactivateKey', violations: [] });
    expect((output.report as { failures: Array<{ what: string; error: string }> }).failures[0]).toEqual({
      source: 'containment',
      what: 'DeactivateKey',
      error: expect.stringMatching(/^AccountAccessError: the responder could not assume arn:aws:iam::111122223333:role\/exposed-key-responder-member .*AccessDenied.* the member stack is not deployed there .*nothing was done in account 111122223333\.$/),
    });
  });

  it('sts:AssumeRole x AccessDenied always of the dispatcher: nothing started, the [REFUSED] email says it could not act in the member account and to deploy the member stack', async () => {
    const row = await playOrg('sts:AssumeRole', 'AccessDenied always');

    expect(row).toMatchObject({ operation: 'sts:AssumeRole (dispatcher)', invariant: 'refused', keyStatus: 'Active', emailStep: 'refused: could not act in account 111122223333', violations: [] });
  });

  it('iam:UpdateAccessKey x ExpiredToken x1 (the member session refused as expired): retried, the key contained', async () => {
    const row = await playCell(orgRules, { operation: 'iam:UpdateAccessKey', kind: EXPIRED_SESSION.iam }, orgBaseline, ORGANIZATION_CONTEXT);

    expect(row).toMatchObject({ invariant: 'absorbed', execution: 'SUCCEEDED', keyStatus: 'Inactive', violations: [] });
  });
});

describe('fault table: the checks themselves', () => {
  const quiet = {
    matched: true,
    incident: { incidentId: 'i-1', source: 'trusted-advisor', accessKeyId: 'AKIAEXAMPLE', userName: 'ci-deploy', accountId: '111122223333' },
    execution: { status: 'SUCCEEDED', states: [] },
    account: { users: [{ userName: 'ci-deploy', accessKeys: [{ accessKeyId: 'AKIAEXAMPLE', status: 'Inactive' }] }], roles: [], snapshots: [], supportCases: [] },
    notifications: [{ channel: 'email' as const, subject: '[CONTAINED] ...', body: 'Exposed access key contained' }],
    report: { outcome: 'contained', failures: [] },
    incidents: [],
    deliveries: [],
    apiCalls: [],
    deadLetters: [],
    alarms: [],
  } as unknown as Parameters<typeof checkCell>[0];
  const base: Baseline = { execution: 'SUCCEEDED', keyStatus: 'Inactive', outcome: 'contained', accessKeyId: 'AKIAEXAMPLE', userName: 'ci-deploy', accountId: '111122223333', snapshots: 0 };

  it('flags a persistent fault that nothing names, with no evidence', () => {
    const row = checkCell(quiet, { operation: 'iam:ListAccessKeys', kind: kind('AccessDenied always') }, base);

    expect(row.violations).toEqual([
      'the record names no failure for it (report.json failures)',
      'the email does not name the failing step',
      'no snapshot of the miner (evidence lost)',
    ]);
  });

  it('flags an event dead-lettered by a call that is not the dispatcher\'s, and one dead-lettered without its alarm', () => {
    const letter = { queue: 'q', attempts: 3, requestPayload: {}, responsePayload: { errorType: 'AccessDenied', errorMessage: 'x' } };
    const lost = { ...quiet, deadLetters: [letter] } as typeof quiet;

    expect(checkCell(lost, { operation: 'iam:UpdateAccessKey', kind: kind('AccessDenied always') }, base).violations).toContain(
      'the event went to the dead-letter queue, though iam:UpdateAccessKey x AccessDenied always must not stop the dispatcher',
    );
    expect(checkCell(lost, { operation: 'sfn:StartExecution', kind: kind('AccessDenied always') }, base).violations).toEqual([
      'the dead-letter queue\'s alarm did not fire',
      'no alarm email names the dead-letter queue',
    ]);
  });

  it('flags a failed search the record does not call incomplete', () => {
    const row = checkCell(quiet, { operation: 'cloudtrail:LookupEvents', kind: kind('AccessDenied always') }, base);

    expect(row.violations).toContain('the record names no region as not searched (unsearchedRegions)');
    expect(row.violations).not.toContain('no snapshot of the miner (evidence lost)');
  });

  it('flags a degraded price the email does not mention', () => {
    const row = checkCell(quiet, { operation: 'pricing:GetProducts', kind: kind('AccessDenied always') }, base);

    expect(row.violations).toEqual(['the email does not say "price unknown: Price List API: AccessDenied"', 'no snapshot of the miner (evidence lost)']);
  });

  it('flags a refused member account whose email does not say which account or what to deploy', () => {
    const refused = { ...quiet, incident: null, execution: null, report: {}, notifications: [{ channel: 'email' as const, subject: '[REFUSED] ...', body: 'It acts in its own account only: AccessDenied' }] } as unknown as typeof quiet;

    const row = checkCell(refused, { operation: 'sts:AssumeRole', kind: kind('AccessDenied always') }, base);

    expect(row).toMatchObject({ invariant: 'refused' });
    expect(row.violations).toEqual(['the [REFUSED] email does not say the account it could not act in', 'the [REFUSED] email does not say to deploy the member stack there']);
  });

  it('flags a transient fault that changed the outcome', () => {
    const failed = { ...quiet, execution: { status: 'FAILED', states: [] }, report: { outcome: 'failed', failures: [] } } as typeof quiet;

    const row = checkCell(failed, { operation: 'iam:UpdateAccessKey', kind: kind('Throttling x2') }, base);

    expect(row.violations).toEqual(['execution FAILED, not SUCCEEDED as without the fault', 'record outcome failed, not contained']);
  });
});

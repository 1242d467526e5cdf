// A reduced fault table (bench/fault-table.ts, `npm run faults` plays the whole one): a few
// operations x errors covering each invariant, played through the built-in drill.
import { synthesizedRules } from '../../drill/stack-rules';
import { Baseline, baselineOf, checkCell, FAULT_CONTEXT, FAULT_KINDS, faultsFor, operationsOf, playBuiltin, playCell, Row } from '../../bench/fault-table';
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
  } as unknown as Parameters<typeof checkCell>[0];
  const base: Baseline = { execution: 'SUCCEEDED', keyStatus: 'Inactive', outcome: 'contained', accessKeyId: 'AKIAEXAMPLE', userName: 'ci-deploy' };

  it('flags a persistent fault that nothing names, with no evidence', () => {
    const row = checkCell(quiet, { operation: 'iam:ListAccessKeys', kind: kind('AccessDenied always') }, base);

    expect(row.violations).toEqual([
      'the record names no failure for it (report.json failures)',
      'the email does not name the failing step',
      'no snapshot of the miner (evidence lost)',
    ]);
  });

  it('flags a transient fault that changed the outcome', () => {
    const failed = { ...quiet, execution: { status: 'FAILED', states: [] }, report: { outcome: 'failed', failures: [] } } as typeof quiet;

    const row = checkCell(failed, { operation: 'iam:UpdateAccessKey', kind: kind('Throttling x2') }, base);

    expect(row.violations).toEqual(['execution FAILED, not SUCCEEDED as without the fault', 'record outcome failed, not contained']);
  });
});

import { buildMessage, MAX_SUBJECT, subjectFor } from '../../../lambdas/notify/message';
import { buildReport, IncidentReport } from '../../../lambdas/report/record';
import { WorkflowState } from '../../../lambdas/shared/state';
import { aState, containment, evidence, GENERATED_AT, investigation, lambdaError, verification } from '../report/fixtures';
import { ACCOUNT_ID, KEY_ID } from '../helpers';

const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const DEACTIVATE = `aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive`;

function record(overrides: Partial<WorkflowState> = {}, incident: Partial<WorkflowState['incident']> = {}): IncidentReport {
  return buildReport(aState(overrides, incident), GENERATED_AT);
}

function lines(report: IncidentReport): string[] {
  return buildMessage(report).body.split('\n');
}

describe('buildMessage: an incomplete CloudTrail search', () => {
  it('says so under what the key did, and does not claim nothing was left behind', () => {
    const report = record({ investigation: investigation({ failures: [{ what: 'cloudtrail:LookupEvents us-east-1', error: 'Throttling' }], leftBehind: { users: [], accessKeys: [], loginProfiles: [], roles: [], policies: [], instances: [] } }) });

    const body = buildMessage(report).body;

    expect(body).toContain('  INCOMPLETE: CloudTrail could not be searched to the end in us-east-1: what the key did and launched there may be missing (see Still open).');
    expect(body).toContain('What it left behind:\n  nothing found in the regions searched; not known for us-east-1');
    expect(body).toContain('  1. The investigation is incomplete in us-east-1: ');
  });
});

describe('buildMessage: the wave\'s shared CloudTrail search failed on S3', () => {
  it('says the key was searched on its own (complete, at a cost), or that its search could not be shared, without calling anything failed', () => {
    const report = record({
      investigation: investigation({
        sharedSearchProblems: [
          { region: 'us-east-1', searchedAlone: true, error: 's3:GetObject: AccessDenied: Access Denied' },
          { region: 'eu-west-1', searchedAlone: true, error: 's3:GetObject: AccessDenied: Access Denied' },
          { region: 'ap-south-1', searchedAlone: false, error: 's3:PutObject: SlowDown: Please reduce your request rate. (gave up after 5 attempts)' },
        ],
      }),
    });

    const body = buildMessage(report).body;

    expect(body).toContain(
      "\n  The wave's shared CloudTrail search could not be used (s3:GetObject: AccessDenied: Access Denied): this key's CloudTrail was searched on its own in eu-west-1, us-east-1: complete, but slower and with more LookupEvents calls against the account's 2 a second.\n",
    );
    expect(body).toContain(
      "\n  The shared CloudTrail search of ap-south-1 was made here but could not be shared (s3:PutObject: SlowDown: Please reduce your request rate. (gave up after 5 attempts)): the wave's other investigations search on their own (slower, more LookupEvents calls).\n",
    );
    expect(report.failures).toEqual([]);
    expect(report.outcome).toBe('contained');
  });
});

describe('buildMessage renders the record: outcome and what is still open first', () => {
  it('contained: the headline, then nothing open, then the facts', () => {
    expect(lines(record()).slice(0, 4)).toEqual(['Exposed access key contained', '', 'Still open: nothing, containment is in place.', '']);
  });

  it('failed containment: the exact command to deactivate the key comes before anything else', () => {
    const report = record({ containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'not authorized') } }, ...containment().slice(1)], verification: verification({ keyStatus: 'Active' }) });

    expect(lines(report).slice(0, 5)).toEqual([
      `Containment FAILED (DeactivateKey): access key ${KEY_ID} may still work`,
      '',
      'Still open, do this first:',
      `  1. Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.`,
      `     ${DEACTIVATE}`,
    ]);
    expect(buildMessage(report).body).toContain('  - [FAILED] DeactivateKey: AccessDenied: not authorized');
    expect(buildMessage(report).body).not.toContain('it is Inactive, so it can still be restored');
  });

  it('every open item, follow-up and undo step of the record is in the email, in the record\'s order', () => {
    const report = record({ containment: containment('dry-run') });
    const body = buildMessage(report).body;

    const at = (text: string) => body.indexOf(text);
    const order = [...report.stillOpen.map((o) => o.what), ...report.followUps].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });
});

describe('buildMessage: dry run', () => {
  it('says "would", with no [done] line and no undo steps for changes never made', () => {
    const dryEvidence = evidence({ dryRun: true, snapshots: [{ region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'dry-run', snapshotIds: [], volumeIds: ['vol-0a'] }] });
    const would = containment('dry-run').map((c) => ('action' in c ? { ...c, detail: `would ${c.detail}` } : c));
    const body = buildMessage(record({ containment: would, verification: verification({ status: 'dry-run', keyStatus: 'Active' }), evidence: dryEvidence })).body;

    expect(body).toContain('What would have been done (dry run: nothing was changed):');
    expect(body).toContain(`  - would set access key ${KEY_ID} of user ci-deploy Inactive`);
    expect(body).toContain('  - i-0aaaaaaaaaaaaaaa1 (eu-west-1): would snapshot');
    expect(body).not.toContain('[done]');
    expect(body).not.toContain('Undo');
    expect(body).toContain(`     ${DEACTIVATE}`);
  });
});

describe('buildMessage: undo', () => {
  it('names the inline quarantine policy after the quota fallback', () => {
    const [key, sessions] = containment();
    const inline = { action: 'quarantine', status: 'done' as const, detail: 'put inline quarantine policy ExposedKeyResponder-Quarantine on user ci-deploy (its managed-policy quota is full)', at: '2026-11-20T10:00:01.300Z' };

    const body = buildMessage(record({ containment: [key, sessions, inline] })).body;

    expect(body).toContain('     aws iam delete-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-Quarantine');
    expect(body).not.toContain('detach-user-policy');
  });
});

describe('buildMessage: what the attacker did and where to look', () => {
  it('lists the notable calls with time, region and source IP', () => {
    const body = buildMessage(record()).body;

    expect(body).toContain('    2026-11-20T09:41:00.000Z  eu-west-1  203.0.113.7  RunInstances: launched i-0aaaaaaaaaaaaaaa1 (p4d.24xlarge)');
    expect(body).toContain('    2026-11-20T09:45:00.000Z  us-east-1  203.0.113.7  CreateUser: created user backdoor');
  });

  it('links the execution, the logs, the IAM user and the key\'s CloudTrail history', () => {
    const report = record();
    const body = buildMessage(report).body;

    expect(report.links).toHaveLength(4);
    for (const link of report.links) expect(body).toContain(`  - ${link.label}: ${link.url}`);
  });

  it('says the named user was not changed and quotes the reporter', () => {
    const body = buildMessage(record({}, { reportedUserName: 'alice', reporterNote: 'saw it in a gist' })).body;

    expect(body).toContain('The report named user alice, who does not own this key: alice was not changed.');
    expect(body).toContain('The reporter wrote: "saw it in a gist"');
  });

  it('says when the record could not be written', () => {
    const body = buildMessage(record({ report: { failed: { step: 'RewriteReport', error: { Error: 'AccessDenied', Cause: 'no' } } } })).body;

    expect(body).toContain('The incident record could not be written (AccessDenied: no): this message is the only record of the response.');
    expect(body).toContain('  - report: RewriteReport: AccessDenied: no');
  });
});

describe('subjectFor', () => {
  it.each([
    ['contained', {}, '[CONTAINED]'],
    ['failed', { verification: { failed: { step: 'Verify', error: { Error: 'States.Timeout' } } } }, '[FAILED]'],
    ['dry-run', { containment: containment('dry-run') }, '[DRY RUN]'],
    ['escalated', { containment: containment('skipped') }, '[ACTION REQUIRED]'],
    ['contained-with-gaps', { slack: { status: 'failed' as const, error: 'x' } }, '[CONTAINED WITH GAPS]'],
  ])('tags a %s record', (_outcome, overrides, tag) => {
    expect(subjectFor(record(overrides as Partial<WorkflowState>))).toBe(`${tag} Exposed key ${KEY_ID} (ci-deploy) in ${ACCOUNT_ID}`);
  });

  it('stays printable ASCII within the SNS limit, shortening only the user name', () => {
    const subject = subjectFor(record({}, { userName: `${'ü'.repeat(30)}${'x'.repeat(60)}` }));

    expect(subject).toMatch(PRINTABLE_ASCII);
    expect(subject.length).toBeLessThanOrEqual(MAX_SUBJECT);
    expect(subject).toContain(KEY_ID);
    expect(subject.endsWith(`) in ${ACCOUNT_ID}`)).toBe(true);
  });
});

describe('buildMessage is pure', () => {
  it('renders the same record to the same message', () => {
    expect(buildMessage(record())).toEqual(buildMessage(record()));
  });
});

import { buildReport } from '../../../lambdas/report/record';
import { parseWorkflowState } from '../../../lambdas/shared/state';
import { KEY_ID } from '../helpers';
import { aState, containment, evidence, GENERATED_AT, investigation, lambdaError, verification } from './fixtures';

const DEACTIVATE = `aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive`;
const ACCESS_DENIED = lambdaError('AccessDenied', 'User: arn:aws:sts::123456789012:assumed-role/contain is not authorized to perform: iam:UpdateAccessKey');

/** The state after DeactivateKey failed for good and Verify found the key still Active. */
function failedContainment() {
  return aState({
    containment: [{ failed: { step: 'DeactivateKey', error: ACCESS_DENIED } }, ...containment().slice(1)],
    verification: { failed: { step: 'Verify', error: lambdaError('ContainmentNotVerifiedError', 'access key is Active') } },
  });
}

describe('buildReport decides the outcome', () => {
  it('is contained when every step did its work: nothing is still open', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report).toMatchObject({ outcome: 'contained', headline: 'Exposed access key contained', failures: [], stillOpen: [], dryRun: false });
  });

  it('is contained-with-gaps when a later step failed, and names the step', () => {
    const state = aState({ support: { failed: { step: 'AnswerSupportCase', error: lambdaError('AccessDeniedException', 'support:DescribeCases') } } });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.headline).toBe('Exposed access key contained, with gaps: 1 thing failed');
    expect(report.failures).toEqual([{ source: 'support', what: 'AnswerSupportCase', error: 'AccessDeniedException: support:DescribeCases' }]);
    expect(report.stillOpen.map((o) => o.what)).toEqual([
      'AWS support was not told (AccessDeniedException: support:DescribeCases): answer the case AWS opened about the key, in the Support Center console.',
    ]);
  });

  it('is failed when a containment branch failed: the key is still Active and deactivating it comes first', () => {
    const report = buildReport(failedContainment(), GENERATED_AT);

    expect(report.outcome).toBe('failed');
    expect(report.headline).toBe(`Containment FAILED (DeactivateKey): access key ${KEY_ID} may still work`);
    expect(report.stillOpen[0]).toEqual({ what: `Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.`, command: DEACTIVATE });
    expect(report.followUps[0]).toBe(`Rotate the key in the application that uses it: create a new key for ci-deploy, deploy it, then delete ${KEY_ID}.`);
    expect(report.followUps.join('\n')).not.toContain('it is Inactive');
  });

  it('is failed when only the revocation failed, saying the key is Inactive and the sessions are not confirmed revoked (not that the key may still work)', () => {
    const notReadBack = lambdaError('TransientAwsError', 'GetUserPolicy: the revoke policy ExposedKeyResponder-RevokeOlderSessions of user ci-deploy was written (PutUserPolicy succeeded, denying sessions issued before 2026-11-20T10:05:00.000Z) but reading it back answered NoSuchEntity');
    const [deactivated, , quarantined] = containment();
    const state = aState({ containment: [deactivated, { failed: { step: 'RevokeSessions', error: notReadBack } }, quarantined], verification: verification({ sessionsRevokedBefore: undefined, problems: ['no policy revokes the older sessions'] }) });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('failed');
    expect(report.headline).toBe(`Containment FAILED (RevokeSessions): access key ${KEY_ID} is Inactive, but sessions of user ci-deploy issued before the response may still work`);
    expect(report.stillOpen[0].what).toBe(
      'Sessions of ci-deploy issued before 2026-11-20T10:05:00.000Z are not confirmed revoked (RevokeSessions did not finish, see What failed): put the revoke policy on the user (putting it again is harmless).',
    );
    expect(report.failures[0]).toEqual({ source: 'containment', what: 'RevokeSessions', error: expect.stringContaining('but reading it back answered NoSuchEntity') });
  });

  it('is failed when containment could not be verified, and says how to check', () => {
    const state = aState({ verification: { failed: { step: 'Verify', error: lambdaError('TransientAwsError', 'IAM GetUserPolicy: Throttling') } } });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('failed');
    expect(report.headline).toBe(`Containment of access key ${KEY_ID} could NOT be verified: check it by hand now`);
    expect(report.stillOpen).toEqual([
      {
        what: `Containment was not verified (TransientAwsError: IAM GetUserPolicy: Throttling): check that key ${KEY_ID} is Inactive and the policies are on ci-deploy.`,
        command: 'aws iam list-access-keys --user-name ci-deploy && aws iam list-user-policies --user-name ci-deploy && aws iam list-attached-user-policies --user-name ci-deploy',
      },
    ]);
  });

  it('is escalated for a root key, with the root user\'s steps first', () => {
    const state = aState({ containment: containment('skipped'), verification: verification({ status: 'skipped' }) }, { userName: 'root', principalType: 'root' });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('escalated');
    expect(report.stillOpen[0].what).toContain('sign in as the root user NOW');
    expect(report.undo).toEqual([]);
  });

  it('is escalated when contain skipped every action (it found the user protected itself)', () => {
    const report = buildReport(aState({ containment: containment('skipped'), verification: verification({ status: 'skipped', keyStatus: 'Active' }) }), GENERATED_AT);

    expect(report.outcome).toBe('escalated');
    expect(report.stillOpen).toEqual([
      { what: `Access key ${KEY_ID} of ci-deploy is still Active (ci-deploy is protected: nothing was changed): decide now whether to deactivate it.`, command: DEACTIVATE },
    ]);
  });

  it('is dry-run when containment only said what it would do: every change is still open, nothing to undo', () => {
    const dryEvidence = evidence({ dryRun: true, snapshots: [{ region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'dry-run', snapshotIds: [], volumeIds: ['vol-0a'] }] });
    const state = aState({ containment: containment('dry-run'), verification: verification({ status: 'dry-run', keyStatus: 'Active', problems: ['access key is Active'] }), evidence: dryEvidence });

    const report = buildReport(state, GENERATED_AT);

    expect(report).toMatchObject({ outcome: 'dry-run', dryRun: true, failures: [], undo: [] });
    expect(report.stillOpen.map((o) => o.command?.split(' --policy-document')[0])).toEqual([
      DEACTIVATE,
      'aws iam put-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-RevokeOlderSessions',
      'aws iam put-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-Quarantine',
    ]);
  });
});

describe('buildReport: a change contain refused to make (EscalationRequiredError)', () => {
  it('puts the commands its error carries among what is still open, instead of a command that would fail', () => {
    const byHand = 'the inline policy quota of ci-deploy is full: run aws iam delete-user-policy --user-name ci-deploy --policy-name old, then aws iam put-user-policy ...';
    const state = aState({ containment: [containment()[0], { failed: { step: 'RevokeSessions', error: lambdaError('EscalationRequiredError', byHand) } }, containment()[2]], verification: undefined });

    const report = buildReport(state, GENERATED_AT);

    expect(report.outcome).toBe('failed');
    expect(report.stillOpen).toEqual([{ what: `RevokeSessions could not be done safely, a human must finish it: ${byHand}` }]);
  });
});

describe('buildReport: undo names exactly what was changed', () => {
  it('detaches the managed quarantine policy by its ARN and deletes the revoke policy', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report.undo.map((u) => u.command)).toEqual([
      `aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Active`,
      'aws iam delete-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-RevokeOlderSessions',
      'aws iam detach-user-policy --user-name ci-deploy --policy-arn arn:aws:iam::123456789012:policy/q',
    ]);
  });

  it('deletes the inline quarantine after the quota fallback, never the managed one', () => {
    const [key, sessions] = containment();
    const inline = { action: 'quarantine', status: 'done' as const, detail: 'put inline quarantine policy ExposedKeyResponder-Quarantine on user ci-deploy (its managed-policy quota is full)', at: '2026-11-20T10:00:01.300Z' };

    const report = buildReport(aState({ containment: [key, sessions, inline] }), GENERATED_AT);

    expect(report.undo[2]).toEqual({
      what: 'Delete the inline quarantine policy ExposedKeyResponder-Quarantine from ci-deploy.',
      command: 'aws iam delete-user-policy --user-name ci-deploy --policy-name ExposedKeyResponder-Quarantine',
    });
  });
});

describe('buildReport: what the report said', () => {
  it('says the named user who does not own the key was not changed, and quotes the reporter', () => {
    const report = buildReport(aState({}, { reportedUserName: 'alice', reporterNote: 'found it in\na public gist' }), GENERATED_AT);

    expect(report.notes).toEqual([
      'The report named user alice, who does not own this key: alice was not changed.',
      'The reporter wrote: "found it in a public gist"',
    ]);
  });

  it('says the account a report named is not the key\'s, and that nothing was done there', () => {
    const report = buildReport(aState({}, { accountId: '123456789012', reportedAccountId: '444455556666' }), GENERATED_AT);

    expect(report.notes).toEqual(['The report named account 444455556666, the key is of account 123456789012: nothing was done in account 444455556666.']);
  });

  it('says nothing of an account the report named when it is the key\'s', () => {
    const report = buildReport(aState({}, { accountId: '123456789012', reportedAccountId: '123456789012' }), GENERATED_AT);

    expect(report.notes).toEqual([]);
  });
});

describe('buildReport: failures on every path', () => {
  it('collects them from every slot, in the order of the workflow', () => {
    const state = aState({
      containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('TransientAwsError', 'Throttling') } }, ...containment().slice(1)],
      investigation: investigation({ failures: [{ what: 'LookupEvents in me-south-1', error: 'UnrecognizedClientException' }] }),
      evidence: evidence({ snapshots: [{ region: 'eu-west-1', instanceId: 'i-0a', status: 'failed', snapshotIds: [], volumeIds: [], error: 'SnapshotLimitExceeded' }] }),
      support: { failed: { step: 'AnswerSupportCase', error: { Error: 'States.Timeout' } } },
      slack: { status: 'failed', error: 'Slack answered 500' },
      report: { failed: { step: 'RewriteReport', error: { Error: 'AccessDenied', Cause: 'no' } } },
    });

    const report = buildReport(state, GENERATED_AT);

    expect(report.failures).toEqual([
      { source: 'containment', what: 'DeactivateKey', error: 'TransientAwsError: Throttling' },
      { source: 'investigation', what: 'LookupEvents in me-south-1', error: 'UnrecognizedClientException' },
      { source: 'evidence', what: 'snapshots of instance i-0a in eu-west-1', error: 'SnapshotLimitExceeded' },
      { source: 'support', what: 'AnswerSupportCase', error: 'States.Timeout' },
      { source: 'slack', what: 'Slack notification', error: 'Slack answered 500' },
      { source: 'report', what: 'RewriteReport', error: 'AccessDenied: no' },
    ]);
    expect(report.stillOpen.map((o) => o.what)).toContain('The incident record could not be written (AccessDenied: no): this message is the only record of the response.');
  });

  it('names the dispatcher\'s refused owner lookup: contained on the user ListAccessKeys confirmed, with that gap', () => {
    const state = aState({}, { ownerLookupError: 'AccessDenied' });

    const report = buildReport(state, GENERATED_AT);

    expect(report.failures).toEqual([{
      source: 'dispatcher',
      what: 'iam:GetAccessKeyLastUsed',
      error: `AccessDenied: IAM did not name the owner of key ${KEY_ID}; ci-deploy was confirmed as its owner by ListAccessKeys instead (it lists the key under ci-deploy). Check the dispatcher role's iam:GetAccessKeyLastUsed permission.`,
    }]);
    expect(report.outcome).toBe('contained-with-gaps');
  });

  it('calls the investigation incomplete in a region CloudTrail could not be searched in, with the search to run by hand', () => {
    const state = aState({ investigation: investigation({ failures: [{ what: 'cloudtrail:LookupEvents eu-west-1', error: 'AccessDenied: not authorized' }, { what: 'iam:GetPolicy', error: 'Throttling' }] }) });

    const report = buildReport(state, GENERATED_AT);

    expect(report.unsearchedRegions).toEqual(['eu-west-1']);
    expect(report.stillOpen).toEqual([{
      what: 'The investigation is incomplete in eu-west-1: CloudTrail could not be searched to the end there, so instances, users and keys the key created there may not have been found, snapshotted or contained. Search its calls there by hand, then snapshot and stop what it launched.',
      command: `aws cloudtrail lookup-events --region eu-west-1 --lookup-attributes AttributeKey=AccessKeyId,AttributeValue=${KEY_ID} --start-time 2026-11-10T10:00:00.000Z`,
    }]);
  });

  it('names an email that could not be sent, and the response is then not complete', () => {
    const state = aState({ notification: { failed: { step: 'NotifyResult', error: lambdaError('AuthorizationErrorException', 'not authorized to publish') } } });

    const report = buildReport(state, GENERATED_AT);

    expect(report.failures).toEqual([{ source: 'notification', what: 'NotifyResult', error: 'AuthorizationErrorException: not authorized to publish' }]);
    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.complete).toBe(false);
  });

  it('names snapshots taken without the look-up of earlier ones as a failure too (they may be duplicates)', () => {
    const error = 'DescribeSnapshots AccessDenied: snapshots taken without checking for earlier ones';
    const state = aState({
      evidence: evidence({ snapshots: [{ region: 'eu-west-1', instanceId: 'i-0a', status: 'created', snapshotIds: ['snap-0a'], volumeIds: ['vol-0a'], error }] }),
    });

    const report = buildReport(state, GENERATED_AT);

    expect(report.failures).toContainEqual({ source: 'evidence', what: 'snapshots of instance i-0a in eu-west-1', error });
  });

  it('turns a step output of another shape into that step\'s failure, never a lost message', () => {
    const state = parseWorkflowState({ ...aState(), investigation: { eventCount: 'many' } }, 'notify');

    const report = buildReport(state, GENERATED_AT);

    expect(report.failures[0]).toMatchObject({ source: 'investigation', what: 'investigation', error: expect.stringMatching(/^UnreadableStepOutput: /) });
    expect(report.activity).toBeUndefined();
  });

  it('says no containment result is a failure, never contained', () => {
    expect(buildReport(aState({ containment: undefined }), GENERATED_AT).failures).toEqual([
      { source: 'containment', what: 'Contain', error: 'no containment result in the workflow state' },
    ]);
  });
});

describe('buildReport: links', () => {
  it('opens the execution, the logs, the user and the key\'s CloudTrail history in the execution\'s region', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report.links.map((l) => l.url.split('#')[0])).toEqual([
      'https://us-east-1.console.aws.amazon.com/states/home?region=us-east-1',
      'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1',
      'https://console.aws.amazon.com/iam/home',
      'https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1',
    ]);
    expect(report.links[3].url).toBe(`https://us-east-1.console.aws.amazon.com/cloudtrail/home?region=us-east-1#/events?AccessKeyId=${KEY_ID}`);
    expect(report.links[1].url).toContain(`${KEY_ID}-20261120`);
  });

  it('says which account the user and the key\'s history are in when the key is of another account than the responder\'s', () => {
    const report = buildReport(aState({}, { accountId: '444455556666' }), GENERATED_AT);

    expect(report.links.map((l) => l.label)).toEqual([
      'Step Functions execution',
      `CloudWatch Logs Insights: the responder's logs of incident ${report.incidentId} (choose its log groups)`,
      'IAM user ci-deploy (in account 444455556666: sign in to that account first)',
      `CloudTrail event history of key ${KEY_ID} (us-east-1; change the region for the others) (in account 444455556666: sign in to that account first)`,
    ]);
  });

  it('names no account when the key is of the responder\'s own account', () => {
    const report = buildReport(aState(), GENERATED_AT);

    expect(report.links.filter((l) => l.label.includes('sign in'))).toEqual([]);
  });
});

describe('buildReport: commands copied from a message do only what they say', () => {
  it('quotes a user name that is not an IAM name, as one shell word', () => {
    const report = buildReport(aState({ containment: containment('dry-run'), verification: undefined }, { userName: "x'; rm -rf ~; echo '" }), GENERATED_AT);

    expect(report.stillOpen[0].command).toBe(`aws iam update-access-key --user-name 'x'\\''; rm -rf ~; echo '\\''' --access-key-id ${KEY_ID} --status Inactive`);
  });
});

describe('buildReport: the record\'s own write', () => {
  it('says a failed first write is not final (support and Slack run before the rewrite), and a failed rewrite is', () => {
    const first = buildReport(aState({ report: { failed: { step: 'WriteReport', error: { Error: 'TransientAwsError', Cause: 'SlowDown' } } } }), GENERATED_AT);
    const last = buildReport(aState({ report: { failed: { step: 'RewriteReport', error: { Error: 'TransientAwsError', Cause: 'SlowDown' } } } }), GENERATED_AT);

    expect(first.stillOpen).toEqual([{ what: 'The incident record could not be written yet (TransientAwsError: SlowDown): it is tried again at the end of the response.' }]);
    expect(last.stillOpen).toEqual([{ what: 'The incident record could not be written (TransientAwsError: SlowDown): this message is the only record of the response.' }]);
  });
});

describe('buildReport: the reporter\'s words', () => {
  it('quotes the longest note the incident allows (500 characters) whole, on one line', () => {
    const state = parseWorkflowState({ ...aState(), incident: { ...aState().incident, reporterNote: `a\n${'b'.repeat(498)}` } }, 'notify');

    const [note] = buildReport(state, GENERATED_AT).notes;

    expect(note).toBe(`The reporter wrote: "a ${'b'.repeat(498)}"`);
  });
});

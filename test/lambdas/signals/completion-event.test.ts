import { buildReport } from '../../../lambdas/report/record';
import { completionEntry } from '../../../lambdas/signals/completion-event';
import { MAX_OPEN_ITEMS } from '../../../lambdas/signals/contract';
import { WorkflowState } from '../../../lambdas/shared/state';
import { aState, containment, EXECUTION_ID, GENERATED_AT, lambdaError, verification } from '../report/fixtures';
import { ACCOUNT_ID, KEY_ID } from '../helpers';

const WRITTEN = {
  bucket: 'incident-bucket',
  jsonKey: `incidents/${KEY_ID}-20261120/report.json`,
  markdownKey: `incidents/${KEY_ID}-20261120/report.md`,
  consoleUrl: `https://s3.console.aws.amazon.com/s3/object/incident-bucket?prefix=incidents/${KEY_ID}-20261120/report.md`,
  outcome: 'contained' as const,
  failures: 0,
  complete: true,
};

function entryOf(state: WorkflowState) {
  return completionEntry(buildReport(state, GENERATED_AT), state.report);
}

describe('the completion event renders the record', () => {
  it('contained: default bus, the responder\'s source and detail-type, the key, user, account, nothing open, where the record is', () => {
    const entry = entryOf(aState({ report: WRITTEN }));

    expect(entry).toEqual({
      Source: 'exposed-key-responder',
      DetailType: 'Exposed Key Response Completed',
      EventBusName: 'default',
      Detail: {
        incidentId: `${KEY_ID}-20261120`,
        executionId: EXECUTION_ID,
        outcome: 'contained',
        complete: true,
        headline: 'Exposed access key contained',
        accessKeyId: KEY_ID,
        userName: 'ci-deploy',
        accountId: ACCOUNT_ID,
        reportedBy: 'trusted-advisor',
        detectedAt: '2026-11-20T09:59:00.000Z',
        stillOpen: [],
        stillOpenCount: 0,
        record: {
          written: true,
          bucket: 'incident-bucket',
          jsonKey: `incidents/${KEY_ID}-20261120/report.json`,
          markdownKey: `incidents/${KEY_ID}-20261120/report.md`,
          consoleUrl: `https://s3.console.aws.amazon.com/s3/object/incident-bucket?prefix=incidents/${KEY_ID}-20261120/report.md`,
        },
        generatedAt: '2026-11-20T10:03:00.000Z',
      },
    });
  });

  it('failed containment: outcome failed, and the command that deactivates the key is the first open item', () => {
    const state = aState({
      containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'not authorized') } }, ...containment().slice(1)],
      verification: verification({ keyStatus: 'Active' }),
      report: WRITTEN,
    });

    const { Detail } = entryOf(state);

    expect(Detail.outcome).toBe('failed');
    expect(Detail.complete).toBe(false);
    expect(Detail.stillOpen[0]).toEqual({
      what: `Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.`,
      command: `aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive`,
    });
  });

  it('a record that could not be written: the event says so, with the step and its error, instead of a location', () => {
    const { Detail } = entryOf(aState({ report: { failed: { step: 'RewriteReport', error: lambdaError('AccessDenied', 's3:PutObject denied') } } }));

    expect(Detail.record).toEqual({ written: false, error: 'RewriteReport: AccessDenied: s3:PutObject denied' });
  });

  it('no report step at all: not written, said plainly', () => {
    expect(entryOf(aState()).Detail.record).toEqual({ written: false, error: 'the record was not written (the report step did not run)' });
  });

  it('carries at most the first open items, and how many there are', () => {
    const report = buildReport(aState({ report: WRITTEN }), GENERATED_AT);
    const many = { ...report, stillOpen: Array.from({ length: MAX_OPEN_ITEMS + 5 }, (_, n) => ({ what: `item ${n + 1}` })) };

    const { Detail } = completionEntry(many, WRITTEN);

    expect(Detail.stillOpen).toHaveLength(25);
    expect(Detail.stillOpen[24]).toEqual({ what: 'item 25' });
    expect(Detail.stillOpenCount).toBe(30);
  });
});

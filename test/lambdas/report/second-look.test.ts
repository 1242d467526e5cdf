import { buildMessage } from '../../../lambdas/notify/message';
import { buildReport } from '../../../lambdas/report/record';
import { SecondLookResult } from '../../../lambdas/shared/state';
import { KEY_ID } from '../helpers';
import { aState, containment, evidence, GENERATED_AT, investigation, lambdaError, verification } from './fixtures';

function secondLook(overrides: Partial<SecondLookResult['afterContainment']> = {}): SecondLookResult {
  return {
    lookback: { from: '2026-11-20T09:45:02.000Z', to: '2026-11-20T10:20:02.000Z', days: 0.02 },
    footholds: { footholds: [], sessions: [], records: { read: 3, unreadable: 0, tied: 1 }, truncated: [], gaps: [] },
    afterContainment: { held: true, used: [], usedCount: 0, denied: [], deniedCount: 0, unreadable: 0, ...overrides },
    failures: [],
  };
}

const USED = {
  eventId: 'ev-late-1', eventTime: '2026-11-20T10:12:00.000Z', eventSource: 's3.amazonaws.com', eventName: 'ListBuckets',
  region: 'us-east-1', sourceIp: '198.51.100.23', by: 'access key AKIA3BACKDOORKEY0001 it created for user support-admin',
};

function state(second: SecondLookResult | ReturnType<typeof failure>) {
  return aState({ containment: containment(), verification: verification(), investigation: investigation(), evidence: evidence(), secondLook: second });
}
function failure() {
  return { failed: { step: 'InvestigateAgain', error: lambdaError('TransientAwsError', 'LookupEvents: Throttling') } };
}

describe('the record after the second look', () => {
  it('containment held: the outcome stands, the second look is in the record and its timeline', () => {
    const report = buildReport(state(secondLook({ denied: [], deniedCount: 2 })), GENERATED_AT);

    expect(report.outcome).toBe('contained');
    expect(report.secondLook).toEqual({ from: '2026-11-20T09:45:02.000Z', to: '2026-11-20T10:20:02.000Z', held: true, used: [], usedCount: 0, deniedCount: 2, newFootholds: 0 });
    expect(report.timeline).toContainEqual({ at: '2026-11-20T10:20:02.000Z', event: 'Second look at CloudTrail: containment held, 0 new foothold(s)' });
  });

  it('a call after containment: ACTION REQUIRED first, in the headline, the still-open items and the email\'s first lines', () => {
    const report = buildReport(state(secondLook({ held: false, used: [USED], usedCount: 1 })), GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.headline).toBe('ACTION REQUIRED: containment did not hold: 1 call(s) after containment by the key or what it created');
    expect(report.stillOpen[0]).toEqual({
      what: 'ACTION REQUIRED: containment did not hold: access key AKIA3BACKDOORKEY0001 it created for user support-admin called ListBuckets (s3.amazonaws.com) at 2026-11-20T10:12:00.000Z in us-east-1 from 198.51.100.23 (event ev-late-1). Find how it still works (another key, a session, a role) and contain it.',
    });
    const lines = buildMessage(report).body.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'ACTION REQUIRED: containment did not hold: 1 call(s) after containment by the key or what it created',
      '',
      'Still open, do this first:',
      `  1. ${report.stillOpen[0].what}`,
    ]);
    expect(buildMessage(report).body).toContain('Second look at CloudTrail (2026-11-20T09:45:02.000Z to 2026-11-20T10:20:02.000Z): containment did NOT hold (1 call(s) after containment); 0 attempt(s) denied; 0 new foothold(s).');
  });

  it('a region the second look could not search: a failure of the second look, contained with gaps', () => {
    const report = buildReport(state({ ...secondLook(), failures: [{ what: 'cloudtrail:LookupEvents eu-west-1', error: 'ThrottlingException (gave up after 5 attempts)' }] }), GENERATED_AT);

    expect(report.outcome).toBe('contained-with-gaps');
    expect(report.failures).toEqual([{ source: 'second-look', what: 'cloudtrail:LookupEvents eu-west-1', error: 'ThrottlingException (gave up after 5 attempts)' }]);
  });

  it('a failed second look: named in the failures and still open, and the response is not complete', () => {
    const report = buildReport(state(failure()), GENERATED_AT);

    expect(report.complete).toBe(false);
    expect(report.failures).toEqual([{ source: 'second-look', what: 'InvestigateAgain', error: 'TransientAwsError: LookupEvents: Throttling' }]);
    expect(report.stillOpen[0].what).toBe(`The second look at CloudTrail failed (TransientAwsError: LookupEvents: Throttling): search CloudTrail event history for the key and what it created, since the containment, by hand.`);
    expect(report.stillOpen.some((o) => o.command?.includes(KEY_ID))).toBe(false);
  });
});

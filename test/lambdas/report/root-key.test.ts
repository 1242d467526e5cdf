import { buildReport } from '../../../lambdas/report/record';
import { StepFailure, StepResult } from '../../../lambdas/shared/steps';
import { aState, GENERATED_AT, investigation, lambdaError, verification } from './fixtures';

const ROOT_KEY = 'AKIAROOTKEYEXAMPLE01';
const MEMBER = '111122223333';
const ROOT = { accountId: MEMBER, accessKeyId: ROOT_KEY, userName: 'root', principalType: 'root' as const };
const SKIPPED = (action: string): StepResult => ({ action, status: 'skipped', detail: 'the root user takes no IAM policy', at: '2026-11-20T10:00:01.100Z' });
const DELETED: StepResult = {
  action: 'deactivate-key',
  status: 'done',
  detail: `DELETED root access key ${ROOT_KEY} of member account ${MEMBER} (it was Active) through centralized root access`,
  at: '2026-11-20T10:00:01.200Z',
  changes: [{ kind: 'root-access-key-deleted', userName: 'root', accountId: MEMBER, accessKeyId: ROOT_KEY, before: 'Active', restorable: false }],
};
/** What investigate says of every root user (lambdas/investigate/reach.ts). */
const ROOT_REACH = { what: 'reach', error: 'root user: IAM policies do not limit it, it can do everything in the account; nothing to list or simulate' };

function rootState(deactivate: StepResult | StepFailure, overrides: Parameters<typeof aState>[0] = {}) {
  return aState({
    containment: [deactivate, SKIPPED('revoke-sessions'), SKIPPED('quarantine')],
    verification: verification({ status: 'skipped' }),
    investigation: investigation({ failures: [ROOT_REACH] }),
    ...overrides,
  }, ROOT);
}

describe('the record of a member root key DELETED through centralized root access', () => {
  const report = buildReport(rootState(DELETED), GENERATED_AT);

  it('is contained, its headline says DELETED and irreversible (the root reach note is no gap)', () => {
    expect(report.outcome).toBe('contained');
    expect(report.headline).toBe(`Exposed ROOT access key ${ROOT_KEY} DELETED (irreversible)`);
    expect(report.failures).toEqual([{ source: 'investigation', ...ROOT_REACH }]);
  });

  it('keeps the deletion as a change restore must refuse', () => {
    expect(report.containment[0].changes).toEqual([{ kind: 'root-access-key-deleted', userName: 'root', accountId: MEMBER, accessKeyId: ROOT_KEY, before: 'Active', restorable: false }]);
  });

  it('says what the deletion cannot reach, not "sign in as root and deactivate it"', () => {
    expect(report.stillOpen.map((o) => o.what)).toEqual([
      `Root access key ${ROOT_KEY} of account ${MEMBER} was DELETED by the responder through centralized root access (sts:AssumeRoot): it cannot be restored. ` +
        'Sessions the key already obtained (GetSessionToken: at most 1 hour for the root user) stay valid until they expire: check what the key did (below) and the root user\'s other credentials (password, MFA devices, signing certificates).',
      'Change the root password and check its MFA device.',
    ]);
  });

  it('has no undo command: it says the deletion cannot be undone', () => {
    expect(report.undo).toEqual([
      { what: `Root access key ${ROOT_KEY} of account ${MEMBER} was DELETED: this cannot be undone (a deleted key cannot be restored; only the root user can create a new key, and AWS advises against root access keys).` },
    ]);
  });

  it('is contained with gaps, still saying DELETED, when a real step failed', () => {
    const gaps = buildReport(rootState(DELETED, { support: { failed: { step: 'AnswerSupportCase', error: lambdaError('AccessDeniedException', 'support:DescribeCases') } } }), GENERATED_AT);

    expect(gaps.outcome).toBe('contained-with-gaps');
    expect(gaps.headline).toBe(`Exposed ROOT access key ${ROOT_KEY} DELETED (irreversible), with gaps: 1 thing failed`);
  });
});

describe('the record of a member root key the responder could not delete', () => {
  it('AssumeRoot refused: failed, the root user\'s steps first, then the commands contain gave', () => {
    const byHand = 'sts:AssumeRoot in member account 111122223333 was refused: AccessDenied: no. Root access key AKIAROOTKEYEXAMPLE01 is NOT deleted.\nA human must act:\n  aws iam delete-access-key --access-key-id AKIAROOTKEYEXAMPLE01';
    const report = buildReport(rootState({ failed: { step: 'DeactivateKey', error: lambdaError('EscalationRequiredError', byHand) } }), GENERATED_AT);

    expect(report.outcome).toBe('failed');
    expect(report.stillOpen.map((o) => o.what)).toEqual([
      `Root access key ${ROOT_KEY} is exposed: sign in as the root user NOW (Security credentials page), deactivate it, then delete it. Root keys cannot be changed from inside the account: this responder did not touch it.`,
      `The responder could not delete it through centralized root access (deleteMemberRootKeys): ${byHand}`,
      'Change the root password and check its MFA device.',
    ]);
    expect(report.undo).toEqual([]);
  });

  it('a dry run that would delete it: dry-run, not escalated; nothing to undo', () => {
    const report = buildReport(rootState({ action: 'deactivate-key', status: 'dry-run', detail: `would DELETE root access key ${ROOT_KEY}`, at: '2026-11-20T10:00:01.200Z' }), GENERATED_AT);

    expect(report.outcome).toBe('dry-run');
    expect(report.undo).toEqual([]);
  });

  it('not the root user\'s key, or deletion off: escalated, as every root key was before', () => {
    const report = buildReport(rootState(SKIPPED('deactivate-key')), GENERATED_AT);

    expect(report.outcome).toBe('escalated');
    expect(report.headline).toBe('ROOT access key exposed: the root user must act now, by hand');
  });
});

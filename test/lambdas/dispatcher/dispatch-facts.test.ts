import { GetAccessKeyLastUsedCommand, NoSuchEntityException } from '@aws-sdk/client-iam';
import { dispatch } from '../../../lambdas/dispatcher/dispatch';
import { InvalidIncidentError } from '../../../lambdas/shared/errors';
import { ACCOUNT_ID, healthEvent, KEY_ID, OTHER_KEY_ID } from '../helpers';
import { deps, iam, published, resetAws, sfn, trustedAdvisorEvent } from './fixtures';

// What a message to people says of the event: the report and each fact it named, line by line,
// and nothing it did not name (an empty "Access key ids named:" line would send a reader looking).
beforeEach(() => resetAws());

/** The lines of a published message from "Report:" to the first blank line (the facts block). */
function factLines(message: string | undefined): string[] {
  const lines = (message ?? '').split('\n');
  const from = lines.findIndex((l) => l.startsWith('Report: '));
  const to = lines.indexOf('', from);
  return lines.slice(from, to === -1 ? undefined : to);
}

const noSuchKey = () => new NoSuchEntityException({ message: 'The Access Key with id cannot be found', $metadata: { httpStatusCode: 404 } });

describe('dispatch: what the refusal of another account\'s event says', () => {
  it('names the envelope\'s source, detail type, account and time, and nothing after them', async () => {
    const event = trustedAdvisorEvent();
    event.account = '999988887777';

    await dispatch(event, deps());

    const message = published()[0].message ?? '';
    expect(message.split('\n').slice(1)).toEqual([
      '',
      'Report: a report of another account',
      'Source: aws.trustedadvisor',
      'Detail type: Trusted Advisor Check Item Refresh Notification',
      'Account: 999988887777',
      'Time: 2017-06-10T03:16:34Z',
    ]);
  });
  it('adds why the account is refused when the configuration says (organization mode), as a note after the facts', async () => {
    const event = trustedAdvisorEvent();
    event.account = '999988887777';

    await dispatch(event, deps({ refusal: 'the member role could not be assumed in 999988887777 (AccessDenied)' }));

    expect((published()[0].message ?? '').split('\n').slice(-3)).toEqual(['Time: 2017-06-10T03:16:34Z', '', 'the member role could not be assumed in 999988887777 (AccessDenied)']);
  });

  it('says the responder could not act in the member account and what to do, not that it acts in its own account only (organization mode)', async () => {
    const event = trustedAdvisorEvent();
    event.account = '999988887777';

    await dispatch(event, deps({ refusal: 'the member role could not be assumed in 999988887777 (AccessDenied)' }));

    const message = published()[0].message ?? '';
    expect(message.split('\n')[0]).toBe(
      'The responder of account 123456789012 could not act in account 999988887777: the member role cannot be assumed there (why: below). ' +
        'Nothing was changed in account 999988887777: contain the exposure there by hand now, ' +
        'then deploy the member stack there (its instance of the StackSet exposed-key-responder-member), or find why its events reach this responder.',
    );
    expect(message).not.toContain('It acts in its own account only');
  });
});

describe('dispatch: input that is no event', () => {
  it.each([null, undefined, 'text', 42])('refuses %p as an invalid incident, starting nothing', async (event) => {
    await expect(dispatch(event, deps())).rejects.toThrow(InvalidIncidentError);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('dispatch: the facts of an unresolved report, each only when the event named it', () => {
  it('lists the key ids named, the user hint, where it leaked and the support case (Trusted Advisor)', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());

    await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    expect(factLines(published()[0].message)).toEqual([
      'Report: Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
      'Reported at: 2017-06-10T03:13:31.198Z',
      'Access key ids named: AKIAIOSFODNN7EXAMPLE',
      'User named by the report (a hint: IAM decides): ci-deploy',
      'Leaked at: www.github.com/some_user/some_repo/some_file',
      'AWS support case: 02648f3b-e18f-4019-8d68-ce25efe080ff',
    ]);
  });

  it('ends with the item\'s commands: no note the report did not call for', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());

    await dispatch(trustedAdvisorEvent(KEY_ID, 'ci-deploy'), deps());

    const lines = (published()[0].message ?? '').split('\n');
    expect(lines.slice(lines.indexOf('To check by hand:'))).toEqual([
      'To check by hand:',
      '',
      '1. access key AKIAIOSFODNN7EXAMPLE: IAM knows no user with this key (NoSuchEntity): deleted already, mistyped in the report, or a key of another account or partition.',
      '   $ aws iam get-access-key-last-used --access-key-id AKIAIOSFODNN7EXAMPLE',
      '   $ aws sts get-access-key-info --access-key-id AKIAIOSFODNN7EXAMPLE',
      '   $ aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d | grep -i AKIAIOSFODNN7EXAMPLE',
    ]);
  });

  it('lists a value that is no key id as such, and no key id line when none was named', async () => {
    await dispatch(trustedAdvisorEvent('not-a-key', 'ci-deploy'), deps());

    expect(factLines(published()[0].message)).toEqual([
      'Report: Trusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
      'Reported at: 2017-06-10T03:13:31.198Z',
      'Other values named as keys: "not-a-key"',
      'User named by the report (a hint: IAM decides): ci-deploy',
      'Leaked at: www.github.com/some_user/some_repo/some_file',
      'AWS support case: 02648f3b-e18f-4019-8d68-ce25efe080ff',
    ]);
  });

  it('lists the roles a Health event named, and no key or user line', async () => {
    await dispatch(healthEvent({ affectedEntities: [{ entityValue: `arn:aws:iam::${ACCOUNT_ID}:role/deploy` }] }), deps());

    expect(factLines(published()[0].message)).toEqual([
      'Report: AWS Health AWS_RISK_CREDENTIALS_EXPOSED',
      'Reported at: 2026-11-20T10:00:00Z',
      'Roles named: arn:aws:iam::123456789012:role/deploy',
    ]);
  });

  it('lists key ids and other values side by side when a Health event names both', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());

    await dispatch(healthEvent({ affectedEntities: [{ entityValue: 'AKIA-bad' }, { entityValue: KEY_ID }] }), deps());

    expect(factLines(published()[0].message)).toEqual([
      'Report: AWS Health AWS_RISK_CREDENTIALS_EXPOSED',
      'Reported at: 2026-11-20T10:00:00Z',
      'Access key ids named: AKIAIOSFODNN7EXAMPLE',
      'Other values named as keys: "AKIA-bad"',
    ]);
  });

  it('joins two of each with a comma', async () => {
    iam.on(GetAccessKeyLastUsedCommand).rejects(noSuchKey());
    const entities = [KEY_ID, OTHER_KEY_ID, 'AKIA-bad', 'not-a-key', `arn:aws:iam::${ACCOUNT_ID}:role/deploy`, `arn:aws:iam::${ACCOUNT_ID}:role/build`];

    await dispatch(healthEvent({ affectedEntities: entities.map((entityValue) => ({ entityValue })) }), deps());

    expect(factLines(published()[0].message)).toEqual([
      'Report: AWS Health AWS_RISK_CREDENTIALS_EXPOSED',
      'Reported at: 2026-11-20T10:00:00Z',
      'Access key ids named: AKIAIOSFODNN7EXAMPLE, AKIAI44QH8DHBEXAMPLE',
      'Other values named as keys: "AKIA-bad", "not-a-key"',
      'Roles named: arn:aws:iam::123456789012:role/deploy, arn:aws:iam::123456789012:role/build',
    ]);
  });
});

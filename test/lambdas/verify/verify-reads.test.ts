// What verify makes of each IAM answer it reads, and the log lines that record its verdict.
import { GetUserPolicyCommand, ListAccessKeysCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { TransientAwsError } from '../../../lambdas/shared/errors';
import { verify } from '../../../lambdas/verify/verify';
import { anIncident, awsError, KEY_ID, REVOKED_BEFORE } from '../helpers';
import { account, deps, iam, QUARANTINE_POLICY_ARN, REQUIRED, verificationError } from './account';

const NOT_ATTACHED = `quarantine policy ${QUARANTINE_POLICY_ARN} is not attached (nor ExposedKeyResponder-Quarantine inline)`;

beforeEach(() => {
  iam.reset();
});

describe('verify: IAM answers that say little', () => {
  it('reads an answer without key metadata as "the key is not the user\'s"', async () => {
    account();
    iam.on(ListAccessKeysCommand).resolves({});

    const err = await verificationError();
    const observed = await verify(anIncident(), deps({ dryRun: true }));

    expect(err.message).toBe(`access key ${KEY_ID} is not a key of user ci-deploy`);
    expect(observed).toMatchObject({ keyStatus: undefined, otherKeys: [] });
  });

  it('dates its check with the clock when none is given', async () => {
    account();
    const { now: _now, ...withoutClock } = deps();
    const before = Date.now();

    const result = await verify(anIncident(), withoutClock);

    expect(Date.parse(result.checkedAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(result.checkedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('reports a key whose status IAM does not give as "unknown", never as Inactive', async () => {
    account();
    iam.on(ListAccessKeysCommand).resolves({ AccessKeyMetadata: [{ AccessKeyId: KEY_ID }, { Status: 'Active' }] });

    const result = await verify(anIncident(), deps({ dryRun: true }));

    expect(result.keyStatus).toBe('unknown');
    expect(result.problems).toEqual([`access key ${KEY_ID} is unknown`]);
    expect(result.otherKeys).toEqual([{ accessKeyId: '', status: 'Active' }]);
  });

  it('reads a page without attached policies as "quarantine not attached"', async () => {
    account();
    iam.on(ListAttachedUserPoliciesCommand).resolves({});

    const err = await verificationError();

    expect(err.message).toBe(NOT_ATTACHED);
  });

  it('does not count an inline quarantine whose answer carries no document', async () => {
    account({ attached: [] });
    iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-Quarantine' }).resolves({ UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-Quarantine' });

    const err = await verificationError();

    expect(err.message).toBe(NOT_ATTACHED);
  });
});

describe('verify: failures that are not NoSuchEntity', () => {
  it('turns throttling of the inline quarantine read into TransientAwsError, never into "not attached"', async () => {
    account({ attached: [] });
    iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-Quarantine' }).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = verify(anIncident(), deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('GetUserPolicy: Throttling: Rate exceeded');
  });

  it('turns throttling of the revoke policy read into TransientAwsError naming the call', async () => {
    account();
    iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-RevokeOlderSessions' }).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = verify(anIncident(), deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('GetUserPolicy: Throttling: Rate exceeded');
  });

  it('rethrows AccessDenied on the inline quarantine read as IAM gave it', async () => {
    account({ attached: [] });
    const denied = awsError('AccessDenied', 'not authorized to perform iam:GetUserPolicy', 403);
    iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: 'ExposedKeyResponder-Quarantine' }).rejects(denied);

    await expect(verify(anIncident(), deps())).rejects.toBe(denied);
  });

  it('turns throttling of ListAttachedUserPolicies into TransientAwsError naming the call', async () => {
    account();
    iam.on(ListAttachedUserPoliciesCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = verify(anIncident(), deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('ListAttachedUserPolicies: Throttling: Rate exceeded');
  });
});

describe('verify: the log lines of its verdict (the audit trail)', () => {
  it('logs a verified containment with the revoke time found and the floor it was checked against', async () => {
    account();
    const d = deps();

    await verify(anIncident(), d);

    expect(d.logger.info).toHaveBeenCalledWith('containment verified', { otherKeys: 1, sessionsRevokedBefore: REVOKED_BEFORE, required: REQUIRED });
    expect(d.logger.warn).not.toHaveBeenCalled();
  });

  it('logs a dry run\'s observations with their problems', async () => {
    account({ keys: [[KEY_ID, 'Active']] });
    const d = deps({ dryRun: true });

    await verify(anIncident(), d);

    expect(d.logger.info).toHaveBeenCalledWith('dry run: account observed, nothing was changed', { problems: [`access key ${KEY_ID} is Active`] });
  });
});

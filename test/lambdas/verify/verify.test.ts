import { GetUserCommand, GetUserPolicyCommand, ListAccessKeysCommand, ListAttachedUserPoliciesCommand } from '@aws-sdk/client-iam';
import 'aws-sdk-client-mock-jest';
import { ContainmentNotVerifiedError, TransientAwsError } from '../../../lambdas/shared/errors';
import { QUARANTINE_INLINE_POLICY_NAME, REVOKE_SESSIONS_POLICY_NAME } from '../../../lambdas/shared/policies';
import { verify } from '../../../lambdas/verify/verify';
import { anIncident, awsError, KEY_ID, OTHER_KEY_ID, REVOKED_BEFORE } from '../helpers';
import { EXPECTED_COMPACT_QUARANTINE_DOCUMENT } from '../quarantine-literals';
import { account, deps, iam, NOW, QUARANTINE_POLICY_ARN, REQUIRED, verificationError } from './account';

beforeEach(() => {
  iam.reset();
});

describe('verify: containment in place', () => {
  it('reports the key Inactive, sessions revoked, quarantine attached, and the other key untouched', async () => {
    account();

    const result = await verify(anIncident(), deps());

    expect(result).toEqual({
      status: 'verified',
      keyStatus: 'Inactive',
      otherKeys: [{ accessKeyId: OTHER_KEY_ID, status: 'Active' }],
      sessionsRevokedBefore: REVOKED_BEFORE,
      quarantineAttached: true,
      checkedAt: NOW.toISOString(),
      problems: [],
    });
    expect(iam).toHaveReceivedCommandWith(ListAccessKeysCommand, { UserName: 'ci-deploy' });
    expect(iam).toHaveReceivedCommandWith(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: REVOKE_SESSIONS_POLICY_NAME });
  });

  it('accepts a revoke policy that revokes later than this incident (a later report of the same user)', async () => {
    account({ inlineRevokedBefore: '2026-11-21T08:00:00.000Z' });

    const result = await verify(anIncident(), deps());

    expect(result.sessionsRevokedBefore).toBe('2026-11-21T08:00:00.000Z');
    expect(result.problems).toEqual([]);
  });

  it('accepts the revocation time of a sibling execution started just before this one (two keys of one user)', async () => {
    // Both executions come from one dispatch; the one whose write landed last holds its own start.
    account({ inlineRevokedBefore: '2026-11-20T10:05:00.050Z' });

    const result = await verify(anIncident(), deps());

    expect(result.problems).toEqual([]);
  });

  it('reports a revoke policy left by an earlier incident, which does not reach this one', async () => {
    account({ inlineRevokedBefore: '2026-11-19T08:00:00.000Z' });

    const result = verify(anIncident(), deps());

    await expect(result).rejects.toMatchObject({ name: 'ContainmentNotVerifiedError', message: expect.stringContaining('sessions are revoked only before 2026-11-19T08:00:00.000Z') });
  });

  it('counts the inline quarantine (managed-policy quota full) as the quarantine in place', async () => {
    account({ attached: [] });
    iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: QUARANTINE_INLINE_POLICY_NAME }).resolves({
      UserName: 'ci-deploy',
      PolicyName: QUARANTINE_INLINE_POLICY_NAME,
      PolicyDocument: encodeURIComponent(JSON.stringify(EXPECTED_COMPACT_QUARANTINE_DOCUMENT)),
    });

    const result = await verify(anIncident(), deps());

    expect(result).toMatchObject({ status: 'verified', quarantineAttached: true, problems: [] });
  });

  it('accepts a revoke time exactly at the floor (the dispatch plus five minutes)', async () => {
    account({ inlineRevokedBefore: REQUIRED });

    const result = await verify(anIncident(), deps());

    expect(result).toMatchObject({ status: 'verified', sessionsRevokedBefore: REQUIRED, problems: [] });
  });

  it('refuses a revoke time one millisecond before the floor', async () => {
    account({ inlineRevokedBefore: '2026-11-20T10:04:59.999Z' });

    const err = await verificationError();

    expect(err.message).toBe('sessions are revoked only before 2026-11-20T10:04:59.999Z');
  });

  it('finds the quarantine policy on a later page of attached policies', async () => {
    account();
    iam
      .on(ListAttachedUserPoliciesCommand)
      .resolvesOnce({ IsTruncated: true, Marker: 'm1', AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] })
      .resolvesOnce({ IsTruncated: false, AttachedPolicies: [{ PolicyArn: QUARANTINE_POLICY_ARN }] });

    const result = await verify(anIncident(), deps());

    expect(result.quarantineAttached).toBe(true);
    expect(iam).toHaveReceivedCommandTimes(ListAttachedUserPoliciesCommand, 2);
  });
});

describe('verify: containment missing', () => {
  it('throws ContainmentNotVerifiedError when the key is still Active', async () => {
    account({ keys: [[KEY_ID, 'Active']] });

    const err = await verificationError();

    expect(err).toBeInstanceOf(ContainmentNotVerifiedError);
    expect(err.name).toBe('ContainmentNotVerifiedError');
    expect(err.message).toBe(`access key ${KEY_ID} is Active`);
  });

  it('reports a key that is not a key of the user', async () => {
    account({ keys: [[OTHER_KEY_ID, 'Active']] });

    const err = await verificationError();

    expect(err.message).toBe(`access key ${KEY_ID} is not a key of user ci-deploy`);
  });

  it('reports a revoke policy that revokes only sessions older than this incident', async () => {
    account({ inlineRevokedBefore: '2026-11-19T08:00:00.000Z' });

    const err = await verificationError();

    expect(err.message).toBe('sessions are revoked only before 2026-11-19T08:00:00.000Z');
  });

  it('reports that nothing revokes older sessions when the revoke policy is not there (a managed policy no longer counts)', async () => {
    account({ inlineRevokedBefore: null, attached: [QUARANTINE_POLICY_ARN, `arn:aws:iam::123456789012:policy/exposed-key-responder/${REVOKE_SESSIONS_POLICY_NAME}-${KEY_ID}-20261120`] });

    const err = await verificationError();

    expect(err.message).toBe('no policy revokes the older sessions');
  });

  it('reports a missing quarantine policy', async () => {
    account({ attached: ['arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3'] });

    const err = await verificationError();

    expect(err.message).toBe(`quarantine policy ${QUARANTINE_POLICY_ARN} is not attached (nor ExposedKeyResponder-Quarantine inline)`);
  });

  it('reports every problem at once', async () => {
    account({ keys: [[KEY_ID, 'Active']], inlineRevokedBefore: null, attached: [] });
    const d = deps();

    const err = await verificationError(d);

    expect(err.message).toBe(
      `access key ${KEY_ID} is Active; no policy revokes the older sessions; quarantine policy ${QUARANTINE_POLICY_ARN} is not attached (nor ExposedKeyResponder-Quarantine inline)`,
    );
    expect(d.logger.warn).toHaveBeenCalledWith('containment not (yet) visible', { problems: err.message.split('; ') });
  });
});

describe('verify: dry run, root and protected users', () => {
  it('returns what it observed, problems included, without throwing in a dry run', async () => {
    account({ keys: [[KEY_ID, 'Active']], inlineRevokedBefore: null, attached: [] });

    const result = await verify(anIncident(), deps({ dryRun: true }));

    expect(result).toEqual({
      status: 'dry-run',
      keyStatus: 'Active',
      otherKeys: [],
      sessionsRevokedBefore: undefined,
      quarantineAttached: false,
      checkedAt: NOW.toISOString(),
      problems: [
        `access key ${KEY_ID} is Active`,
        'no policy revokes the older sessions',
        `quarantine policy ${QUARANTINE_POLICY_ARN} is not attached (nor ExposedKeyResponder-Quarantine inline)`,
      ],
    });
  });
});

describe('verify: AWS failures', () => {
  it('turns throttling of GetUser into TransientAwsError: protection is never assumed', async () => {
    account();
    iam.on(GetUserCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    await expect(verify(anIncident(), deps())).rejects.toThrow('GetUser: Throttling: Rate exceeded');
  });

  it('turns throttling of ListAccessKeys into TransientAwsError', async () => {
    account();
    iam.on(ListAccessKeysCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = verify(anIncident(), deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('ListAccessKeys: Throttling: Rate exceeded');
  });

  it('turns throttling of GetUserPolicy into TransientAwsError rather than reading it as "no policy"', async () => {
    account();
    iam.on(GetUserPolicyCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = verify(anIncident(), deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('GetUserPolicy: Throttling: Rate exceeded');
  });

  it('rethrows AccessDenied on ListAttachedUserPolicies unchanged', async () => {
    account();
    const denied = awsError('AccessDenied', 'not authorized', 403);
    iam.on(ListAttachedUserPoliciesCommand).rejects(denied);

    await expect(verify(anIncident(), deps())).rejects.toBe(denied);
  });
});

import {
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  NoSuchEntityException,
  StatusType,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { ContainmentNotVerifiedError, TransientAwsError } from '../../../lambdas/shared/errors';
import { compactQuarantinePolicy, QUARANTINE_INLINE_POLICY_NAME, REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../lambdas/shared/policies';
import { verify, VerifyConfig, VerifyDeps } from '../../../lambdas/verify/verify';
import { ACCOUNT_ID, anIncident, awsError, fakeLogger, KEY_ID, OTHER_KEY_ID, REVOKE_BEFORE, REVOKED_BEFORE } from '../helpers';

const iam = mockClient(IAMClient);

const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
const NOW = new Date('2026-11-20T10:00:03.000Z');
const FALLBACK_POLICY_ARN = `arn:aws:iam::${ACCOUNT_ID}:policy/exposed-key-responder/${REVOKE_SESSIONS_POLICY_NAME}-${KEY_ID}-20261120`;

function deps(config: Partial<VerifyConfig> = {}): VerifyDeps & { logger: ReturnType<typeof fakeLogger> } {
  return {
    iam: new IAMClient({}),
    logger: fakeLogger(),
    config: { dryRun: false, quarantinePolicyArn: QUARANTINE_POLICY_ARN, ...config },
    now: () => NOW,
  };
}

interface AccountState {
  keys?: Array<[string, StatusType]>;
  /** The time the inline revoke policy revokes before; null: no such policy. */
  inlineRevokedBefore?: string | null;
  attached?: string[];
}

/** The user ci-deploy as IAM answers about it. */
function account({ keys = [[KEY_ID, 'Inactive'], [OTHER_KEY_ID, 'Active']], inlineRevokedBefore = REVOKED_BEFORE, attached = [QUARANTINE_POLICY_ARN] }: AccountState = {}): void {
  iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({
    AccessKeyMetadata: keys.map(([AccessKeyId, Status]) => ({ UserName: 'ci-deploy', AccessKeyId, Status })),
  });
  if (inlineRevokedBefore === null) {
    iam.on(GetUserPolicyCommand).rejects(new NoSuchEntityException({ message: `The user policy with name ${REVOKE_SESSIONS_POLICY_NAME} cannot be found.`, $metadata: { httpStatusCode: 404 } }));
  } else {
    iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: REVOKE_SESSIONS_POLICY_NAME }).resolves({
      UserName: 'ci-deploy',
      PolicyName: REVOKE_SESSIONS_POLICY_NAME,
      // IAM returns policy documents URL-encoded.
      PolicyDocument: encodeURIComponent(JSON.stringify(revokeOlderSessionsPolicy(inlineRevokedBefore))),
    });
  }
  iam.on(ListAttachedUserPoliciesCommand, { UserName: 'ci-deploy' }).resolves({
    AttachedPolicies: attached.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })),
  });
}

async function verificationError(d = deps()): Promise<ContainmentNotVerifiedError> {
  try {
    await verify(anIncident(), REVOKE_BEFORE, d);
  } catch (err) {
    return err as ContainmentNotVerifiedError;
  }
  throw new Error('expected verify to throw');
}

beforeEach(() => {
  iam.reset();
});

describe('verify: containment in place', () => {
  it('reports the key Inactive, sessions revoked, quarantine attached, and the other key untouched', async () => {
    account();

    const result = await verify(anIncident(), REVOKE_BEFORE, deps());

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

    const result = await verify(anIncident(), REVOKE_BEFORE, deps());

    expect(result.sessionsRevokedBefore).toBe('2026-11-21T08:00:00.000Z');
    expect(result.problems).toEqual([]);
  });

  it('accepts the revocation time of a sibling execution started just before this one (two keys of one user)', async () => {
    // Both executions come from one dispatch; the one whose write landed last holds its own start.
    account({ inlineRevokedBefore: '2026-11-20T10:05:00.050Z' });

    const result = await verify(anIncident(), REVOKE_BEFORE, deps());

    expect(result.problems).toEqual([]);
  });

  it('reports a revoke policy left by an earlier incident, which does not reach this one', async () => {
    account({ inlineRevokedBefore: '2026-11-19T08:00:00.000Z' });

    const result = verify(anIncident(), REVOKE_BEFORE, deps());

    await expect(result).rejects.toMatchObject({ name: 'ContainmentNotVerifiedError', message: expect.stringContaining('sessions are revoked only before 2026-11-19T08:00:00.000Z') });
  });

  it('counts the inline quarantine (managed-policy quota full) as the quarantine in place', async () => {
    account({ attached: [] });
    iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: QUARANTINE_INLINE_POLICY_NAME }).resolves({
      UserName: 'ci-deploy',
      PolicyName: QUARANTINE_INLINE_POLICY_NAME,
      PolicyDocument: encodeURIComponent(JSON.stringify(compactQuarantinePolicy())),
    });

    const result = await verify(anIncident(), REVOKE_BEFORE, deps());

    expect(result).toMatchObject({ status: 'verified', quarantineAttached: true, problems: [] });
  });

  it('counts the managed fallback revoke policy of this incident as revoked when there is no inline one', async () => {
    account({ inlineRevokedBefore: null, attached: [QUARANTINE_POLICY_ARN, FALLBACK_POLICY_ARN] });

    const result = await verify(anIncident(), REVOKE_BEFORE, deps());

    expect(result.status).toBe('verified');
    expect(result.sessionsRevokedBefore).toBe(REVOKED_BEFORE);
  });

  it('finds the quarantine policy on a later page of attached policies', async () => {
    account();
    iam
      .on(ListAttachedUserPoliciesCommand)
      .resolvesOnce({ IsTruncated: true, Marker: 'm1', AttachedPolicies: [{ PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }] })
      .resolvesOnce({ IsTruncated: false, AttachedPolicies: [{ PolicyArn: QUARANTINE_POLICY_ARN }] });

    const result = await verify(anIncident(), REVOKE_BEFORE, deps());

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

  it('reports that nothing revokes older sessions when neither the inline nor the fallback policy is there', async () => {
    account({ inlineRevokedBefore: null });

    const err = await verificationError();

    expect(err.message).toBe('no policy revokes the older sessions');
  });

  it('does not count the fallback policy of another incident of the same key', async () => {
    const otherDay = `arn:aws:iam::${ACCOUNT_ID}:policy/exposed-key-responder/${REVOKE_SESSIONS_POLICY_NAME}-${KEY_ID}-20261119`;
    account({ inlineRevokedBefore: null, attached: [QUARANTINE_POLICY_ARN, otherDay] });

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

    const result = await verify(anIncident(), REVOKE_BEFORE, deps({ dryRun: true }));

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

  it.each([
    ['the root user', { userName: 'root', principalType: 'root' as const }],
    ['a protected user', { userName: 'break-glass', protectedPrincipal: true }],
  ])('skips %s without any IAM call', async (_who, overrides) => {
    const result = await verify(anIncident(overrides), REVOKE_BEFORE, deps());

    expect(iam).not.toHaveReceivedAnyCommand();
    expect(result).toEqual({ status: 'skipped', otherKeys: [], quarantineAttached: false, checkedAt: NOW.toISOString(), problems: [] });
  });
});

describe('verify: AWS failures', () => {
  it('turns throttling of ListAccessKeys into TransientAwsError', async () => {
    account();
    iam.on(ListAccessKeysCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = verify(anIncident(), REVOKE_BEFORE, deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('ListAccessKeys: Throttling: Rate exceeded');
  });

  it('turns throttling of GetUserPolicy into TransientAwsError rather than reading it as "no policy"', async () => {
    account();
    iam.on(GetUserPolicyCommand).rejects(awsError('Throttling', 'Rate exceeded'));

    const result = verify(anIncident(), REVOKE_BEFORE, deps());

    await expect(result).rejects.toBeInstanceOf(TransientAwsError);
    await expect(result).rejects.toThrow('GetUserPolicy: Throttling: Rate exceeded');
  });

  it('rethrows AccessDenied on ListAttachedUserPolicies unchanged', async () => {
    account();
    const denied = awsError('AccessDenied', 'not authorized', 403);
    iam.on(ListAttachedUserPoliciesCommand).rejects(denied);

    await expect(verify(anIncident(), REVOKE_BEFORE, deps())).rejects.toBe(denied);
  });
});

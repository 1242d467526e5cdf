// The user ci-deploy as IAM answers about it, for the verify tests (one mocked IAM client a test file).
import {
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  NoSuchEntityException,
  StatusType,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { ContainmentNotVerifiedError } from '../../../lambdas/shared/errors';
import { QUARANTINE_INLINE_POLICY_NAME, REVOKE_SESSIONS_POLICY_NAME, revokeOlderSessionsPolicy } from '../../../lambdas/shared/policies';
import { parseProtectedPrincipals } from '../../../lambdas/shared/protection';
import { verify, VerifyConfig, VerifyDeps } from '../../../lambdas/verify/verify';
import { anIncident, fakeLogger, KEY_ID, OTHER_KEY_ID, REVOKED_BEFORE } from '../helpers';

export const iam = mockClient(IAMClient);

export const QUARANTINE_POLICY_ARN = 'arn:aws:iam::123456789012:policy/exposed-key-responder/ExposedKeyResponder-Quarantine';
export const NOW = new Date('2026-11-20T10:00:03.000Z');
/** The floor: revocationTime of the incident's dispatchedAt (2026-11-20T10:00:00.000Z) plus five minutes. */
export const REQUIRED = '2026-11-20T10:05:00.000Z';

export function deps(config: Partial<VerifyConfig> = {}): VerifyDeps & { logger: ReturnType<typeof fakeLogger> } {
  return {
    iam: new IAMClient({}),
    logger: fakeLogger(),
    config: { dryRun: false, quarantinePolicyArn: QUARANTINE_POLICY_ARN, protectedPrincipals: parseProtectedPrincipals([]), ...config },
    now: () => NOW,
  };
}

interface AccountState {
  keys?: Array<[string, StatusType]>;
  /** The time the inline revoke policy revokes before; null: no such policy. */
  inlineRevokedBefore?: string | null;
  attached?: string[];
  path?: string;
  tags?: Record<string, string>;
}

/** The user ci-deploy as IAM answers about it. */
export function account({ keys = [[KEY_ID, 'Inactive'], [OTHER_KEY_ID, 'Active']], inlineRevokedBefore = REVOKED_BEFORE, attached = [QUARANTINE_POLICY_ARN], path = '/', tags = {} }: AccountState = {}): void {
  iam.on(GetUserCommand, { UserName: 'ci-deploy' }).resolves({
    User: { UserName: 'ci-deploy', Path: path, UserId: 'AIDAEXAMPLE', Arn: 'arn:aws:iam::123456789012:user/ci-deploy', CreateDate: new Date(0), Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
  });
  iam.on(ListAccessKeysCommand, { UserName: 'ci-deploy' }).resolves({
    AccessKeyMetadata: keys.map(([AccessKeyId, Status]) => ({ UserName: 'ci-deploy', AccessKeyId, Status })),
  });
  // No inline quarantine: IAM answers NoSuchEntity (not an empty answer).
  iam.on(GetUserPolicyCommand, { UserName: 'ci-deploy', PolicyName: QUARANTINE_INLINE_POLICY_NAME }).rejects(
    new NoSuchEntityException({ message: `The user policy with name ${QUARANTINE_INLINE_POLICY_NAME} cannot be found.`, $metadata: { httpStatusCode: 404 } }),
  );
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

export async function verificationError(d = deps()): Promise<ContainmentNotVerifiedError> {
  try {
    await verify(anIncident(), d);
  } catch (err) {
    return err as ContainmentNotVerifiedError;
  }
  throw new Error('expected verify to throw');
}


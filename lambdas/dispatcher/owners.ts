// What IAM says: who owns a key, which keys a user has, who carries an AWS quarantine policy.
import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  paginateGetAccountAuthorizationDetails,
  paginateListAccessKeys,
} from '@aws-sdk/client-iam';
import { GetAccessKeyInfoCommand, STSClient } from '@aws-sdk/client-sts';
import { awsErrorCode, describeError, rethrowAws } from '../shared/errors';
import { isAwsQuarantinePolicyArn, LEGACY_QUARANTINE_INLINE_POLICY } from '../shared/events';
import { ACCOUNT_ID_PATTERN } from '../shared/incident';
import { Log } from '../shared/logger';

/** `sts:GetAccessKeyInfo`: the account that owns a key id, any account's. */
export type KeyAccountLookup = (accessKeyId: string) => Promise<string | undefined>;

/**
 * {@link KeyAccountLookup} through STS (the client's region and partition: the SDK's endpoint
 * rules). A failure, after the client's own retries, is thrown as the SDK's error; the caller
 * treats it as "account unknown" and says so in the message.
 */
export function stsKeyAccountLookup(sts: STSClient): KeyAccountLookup {
  return async (accessKeyId) => (await sts.send(new GetAccessKeyInfoCommand({ AccessKeyId: accessKeyId }))).Account;
}

export interface OwnerDeps {
  readonly iam: IAMClient;
  readonly keyAccount: KeyAccountLookup;
  readonly logger: Log;
  readonly accountId: string;
}

export type Ownership =
  | { readonly kind: 'user'; readonly userName: string }
  /** IAM names no owner; `error`: the code it answered (NoSuchEntity), none when it answered without a user. */
  | { readonly kind: 'unknown'; readonly error?: string }
  | { readonly kind: 'other-account'; readonly accountId: string }
  | { readonly kind: 'denied'; readonly accountId?: string; readonly error: string };

const NO_SUCH_ENTITY = new Set(['NoSuchEntity', 'NoSuchEntityException']);
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/**
 * The owner of a key as IAM says (GetAccessKeyLastUsed: UserName). For a key of another account
 * IAM answers AccessDenied: STS GetAccessKeyInfo then names the owning account.
 */
export async function ownerOf(accessKeyId: string, deps: OwnerDeps): Promise<Ownership> {
  try {
    const out = await deps.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
    return out.UserName ? { kind: 'user', userName: out.UserName } : { kind: 'unknown' };
  } catch (err) {
    const code = awsErrorCode(err) ?? '';
    if (NO_SUCH_ENTITY.has(code)) {
      deps.logger.warn('access key not found in IAM', { accessKeyId });
      return { kind: 'unknown', error: code };
    }
    if (ACCESS_DENIED.has(code)) {
      const account = await accountOfKey(accessKeyId, deps);
      if (account && account !== deps.accountId) return { kind: 'other-account', accountId: account };
      return account ? { kind: 'denied', accountId: account, error: code } : { kind: 'denied', error: code };
    }
    return rethrowAws(err, `GetAccessKeyLastUsed ${accessKeyId}`);
  }
}

async function accountOfKey(accessKeyId: string, deps: OwnerDeps): Promise<string | undefined> {
  try {
    const account = await deps.keyAccount(accessKeyId);
    return account && ACCOUNT_ID_PATTERN.test(account) ? account : undefined;
  } catch (err) {
    deps.logger.warn('sts:GetAccessKeyInfo failed', { accessKeyId, error: describeError(err) });
    return undefined;
  }
}

/** The keys of a user (any status); undefined when IAM knows no such user. */
export async function keysOf(userName: string, iam: IAMClient): Promise<Array<{ accessKeyId: string; status?: string }> | undefined> {
  const keys: Array<{ accessKeyId: string; status?: string }> = [];
  try {
    for await (const page of paginateListAccessKeys({ client: iam }, { UserName: userName })) {
      for (const k of page.AccessKeyMetadata ?? []) if (k.AccessKeyId) keys.push({ accessKeyId: k.AccessKeyId, status: k.Status });
    }
  } catch (err) {
    if (NO_SUCH_ENTITY.has(awsErrorCode(err) ?? '')) return undefined;
    rethrowAws(err, `ListAccessKeys ${userName}`);
  }
  return keys;
}

/** The active keys of a user; undefined when IAM knows no such user. */
export async function activeKeysOf(userName: string, iam: IAMClient): Promise<string[] | undefined> {
  const keys = await keysOf(userName, iam);
  return keys?.filter((k) => k.status === 'Active').map((k) => k.accessKeyId);
}

/** Users carrying an AWS quarantine policy now: managed (by ARN prefix) or the legacy inline one. */
export async function quarantinedUsers(iam: IAMClient): Promise<string[]> {
  const users: string[] = [];
  try {
    for await (const page of paginateGetAccountAuthorizationDetails({ client: iam }, { Filter: ['User'] })) {
      for (const u of page.UserDetailList ?? []) {
        const managed = (u.AttachedManagedPolicies ?? []).some((p) => p.PolicyArn && isAwsQuarantinePolicyArn(p.PolicyArn));
        const inline = (u.UserPolicyList ?? []).some((p) => p.PolicyName === LEGACY_QUARANTINE_INLINE_POLICY);
        if ((managed || inline) && u.UserName) users.push(u.UserName);
      }
    }
  } catch (err) {
    rethrowAws(err, 'GetAccountAuthorizationDetails');
  }
  return users;
}

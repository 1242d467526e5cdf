import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { awsErrorCode, isTransientAwsError, TransientAwsError } from './errors';
import { ACCOUNT_ID_PATTERN } from './incident';
import { RESPONDER_POLICY_PATH } from './policies';

/**
 * Organization mode: the central responder acts in a member account through the member role the
 * member StackSet puts there (lib/member-stack.ts). One place decides, for an account id, which
 * credentials the SDK clients of a Lambda use:
 *
 * - per-account mode (MEMBER_ROLE_NAME absent or empty): always the Lambda's own, as before;
 * - organization mode, the responder's own account (ACCOUNT_ID): the Lambda's own;
 * - organization mode, any other account: `sts:AssumeRole` of `role/<MEMBER_ROLE_NAME>` in that
 *   account, with a session name naming the incident (CloudTrail of the member account shows which
 *   incident made each call). The central roles may assume that role only in accounts of the
 *   organization (`aws:ResourceOrgID` on their sts:AssumeRole grant), and the role trusts only them
 *   (with `aws:PrincipalOrgID`): an account outside the organization is refused here, by IAM.
 *
 * The cores keep taking clients as arguments: each handler's adapter asks {@link accountClients}
 * for the client set of the incident's account.
 */

/** The fixed name of the role the member stack creates in every member account. */
export const MEMBER_ROLE_NAME = 'exposed-key-responder-member';
/** The fixed name of the quarantine policy the member stack creates (under {@link RESPONDER_POLICY_PATH}). */
export const MEMBER_QUARANTINE_POLICY_NAME = 'ExposedKeyResponderQuarantine';
/** The member StackSet's name (the central stack makes it; `doctor` reads it). */
export const MEMBER_STACK_SET_NAME = 'exposed-key-responder-member';
/** How long an assumed session lasts (the role's default maximum): far longer than any step Lambda runs. */
export const MEMBER_SESSION_SECONDS = 3600;
/** A session is assumed again when it has less than this left. */
const REFRESH_MARGIN_MS = 5 * 60_000;
/** Client sets kept per Lambda instance (one per account and incident); beyond it, the cache starts again. */
const MAX_CACHED = 50;

/** Organization mode, as the stack configures a Lambda; undefined in per-account mode. */
export interface OrganizationAccess {
  /** The responder's own account: its Lambdas act there with their own credentials. */
  readonly ownAccountId: string;
  /** The member role's name in every member account. */
  readonly memberRoleName: string;
  /** The partition of the ARNs (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
}

/**
 * The member role could not be assumed in the account: it is not in the organization, the member
 * stack is not deployed there, or its role was changed. Never retried (waiting changes nothing);
 * the message says which account and role, and what to check.
 */
export class AccountAccessError extends Error {
  public override readonly name = 'AccountAccessError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The partition of a region's ARNs. */
export function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * MEMBER_ROLE_NAME (empty or absent: per-account mode) and, with it, ACCOUNT_ID (12 digits).
 * Read once at cold start; an unusable value fails it.
 */
export function organizationAccessFromEnv(env: NodeJS.ProcessEnv = process.env): OrganizationAccess | undefined {
  const memberRoleName = env.MEMBER_ROLE_NAME?.trim();
  if (!memberRoleName) return undefined;
  if (!/^[\w+=,.@-]{1,64}$/.test(memberRoleName)) throw new Error(`environment variable MEMBER_ROLE_NAME must be an IAM role name, got "${memberRoleName}"`);
  const ownAccountId = env.ACCOUNT_ID ?? '';
  if (!ACCOUNT_ID_PATTERN.test(ownAccountId)) throw new Error(`environment variable ACCOUNT_ID must be a 12-digit account id when MEMBER_ROLE_NAME is set, got "${ownAccountId}"`);
  return { ownAccountId, memberRoleName, partition: partitionOf(env.AWS_REGION) };
}

/** The member role's ARN in `accountId`. */
export function memberRoleArn(access: OrganizationAccess, accountId: string): string {
  return `arn:${access.partition}:iam::${accountId}:role/${access.memberRoleName}`;
}

/** The member stack's quarantine policy in `accountId` (a managed policy can only be attached in its own account). */
export function memberQuarantinePolicyArn(access: OrganizationAccess, accountId: string): string {
  return `arn:${access.partition}:iam::${accountId}:policy${RESPONDER_POLICY_PATH}${MEMBER_QUARANTINE_POLICY_NAME}`;
}

/** A RoleSessionName (2 to 64 of [\w+=,.@-]) that names the incident: `exposed-key-responder-<incident id>`. */
export function sessionNameFor(incidentId: string): string {
  return `exposed-key-responder-${incidentId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/** The client set of one account, and what differs there. */
export interface AccountScope<C> {
  readonly accountId: string;
  readonly clients: C;
  /** The role assumed in the account; absent: the Lambda's own credentials. */
  readonly assumedRoleArn?: string;
  /** The quarantine policy to attach in this account; absent: the stack's own (QUARANTINE_POLICY_ARN). */
  readonly quarantinePolicyArn?: string;
}

/** `config` with `credentials` when there are any (absent: the SDK's default chain, the Lambda's own). */
export function withCredentials<T extends object>(config: T, credentials: AwsCredentialIdentityProvider | undefined): T & { credentials?: AwsCredentialIdentityProvider } {
  return credentials ? { ...config, credentials } : config;
}

/**
 * The client sets of a Lambda, by account. `build(credentials)` makes one set (credentials absent:
 * the Lambda's own); the own set is built at once (cold start), as before. A member account's set
 * is built on first use with the role assumed at once (so a refusal is an {@link AccountAccessError}
 * before the core starts), and kept for the Lambda's life, per account and session name; its
 * credentials are assumed again when they come within 5 minutes of their end.
 */
export function accountClients<C>(
  build: (credentials?: AwsCredentialIdentityProvider) => C,
  access: OrganizationAccess | undefined,
  sts: () => STSClient = () => new STSClient({}),
): (accountId: string, sessionName: string) => Promise<AccountScope<C>> {
  const own = build();
  const cache = new Map<string, Promise<AccountScope<C>>>();
  let stsClient: STSClient | undefined;
  return async (accountId, sessionName) => {
    if (!access || accountId === access.ownAccountId) return { accountId, clients: own };
    const key = `${accountId}/${sessionName}`;
    let scope = cache.get(key);
    if (!scope) {
      if (cache.size >= MAX_CACHED) cache.clear();
      stsClient ??= sts();
      scope = assumedScope(accountId, sessionName, access, build, stsClient);
      cache.set(key, scope);
      // A refusal is not kept: the next invocation tries again.
      scope.catch(() => cache.delete(key));
    }
    return scope;
  };
}

async function assumedScope<C>(
  accountId: string,
  sessionName: string,
  access: OrganizationAccess,
  build: (credentials?: AwsCredentialIdentityProvider) => C,
  sts: STSClient,
): Promise<AccountScope<C>> {
  const roleArn = memberRoleArn(access, accountId);
  const assume = () => assumeRole(sts, roleArn, accountId, sessionName);
  let current = await assume();
  let renewing: Promise<AwsCredentialIdentity> | undefined;
  const credentials: AwsCredentialIdentityProvider = async () => {
    if (current.expiration && current.expiration.getTime() - Date.now() < REFRESH_MARGIN_MS) {
      renewing ??= assume().finally(() => { renewing = undefined; });
      current = await renewing;
    }
    return current;
  };
  return { accountId, clients: build(credentials), assumedRoleArn: roleArn, quarantinePolicyArn: memberQuarantinePolicyArn(access, accountId) };
}

async function assumeRole(sts: STSClient, roleArn: string, accountId: string, sessionName: string): Promise<AwsCredentialIdentity> {
  try {
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: MEMBER_SESSION_SECONDS }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole returned no credentials');
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration ? { expiration: c.Expiration } : {}) };
  } catch (err) {
    if (isTransientAwsError(err)) {
      throw new TransientAwsError(`AssumeRole ${roleArn}: ${awsErrorCode(err)}: ${(err as Error).message}`, { cause: err });
    }
    throw new AccountAccessError(
      `the responder could not assume ${roleArn} (session ${sessionName}): ${awsErrorCode(err) ?? 'Error'}: ${(err as Error).message}. ` +
        `Account ${accountId} is not a member of the organization, or the member stack is not deployed there (its StackSet instance), or the role was changed: nothing was done in account ${accountId}.`,
      { cause: err },
    );
  }
}

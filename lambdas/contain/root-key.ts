// A member account's exposed root access key, in organization mode: DELETED through centralized
// root access (sts:AssumeRoot), only when the deployment says so (context deleteMemberRootKeys),
// only in a member account, and only once IAM, asked with the root credentials, lists the key as
// the root user's own. Anything else changes nothing and tells people why.
import { DeleteAccessKeyCommand, IAMClient, ListAccessKeysCommand } from '@aws-sdk/client-iam';
import { AssumeRootCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity } from '@smithy/types';
import type { OrganizationAccess } from '../shared/accounts';
import { awsErrorCode, EscalationRequiredError, isThrottling, isTransientAwsError, ThrottledError, TransientAwsError } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import { ContainAction, StepResult } from '../shared/steps';
import { isNoSuchEntity } from '../shared/user-reads';

/** The AWS managed task policy that scopes the root session: it may delete root credentials, never deactivate them. */
export const ROOT_TASK_POLICY_NAME = 'IAMDeleteRootUserCredentials';
/** How long the root session lasts: AssumeRoot allows 900 seconds at most; one ListAccessKeys and one DeleteAccessKey need far less. */
export const ROOT_SESSION_SECONDS = 300;

/** The task policy's ARN in a partition (`aws`, `aws-cn`, `aws-us-gov`). */
export function rootTaskPolicyArn(partition: string): string {
  return `arn:${partition}:iam::aws:policy/root-task/${ROOT_TASK_POLICY_NAME}`;
}

export interface RootKeyConfig {
  readonly dryRun: boolean;
  /** DELETE_MEMBER_ROOT_KEYS (context deleteMemberRootKeys). */
  readonly deleteMemberRootKeys: boolean;
  /** Organization mode (absent: one account, where AssumeRoot reaches nothing). */
  readonly organization?: OrganizationAccess;
}

export interface RootKeyDeps {
  /** The Lambda's own STS client, on a regional endpoint (AssumeRoot refuses the global one). */
  readonly sts: STSClient;
  /** An IAM client acting with the given (root session) credentials. */
  readonly iamWith: (credentials: AwsCredentialIdentity) => IAMClient;
  readonly logger: Log;
  readonly config: RootKeyConfig;
  readonly now?: () => Date;
}

const BY_HAND = 'root access keys cannot be deactivated from inside the account: the root user must act (see the notification)';

/**
 * The containment step of a root incident. Only `deactivate-key` of a member account's key with
 * deletion on acts: AssumeRoot (task policy {@link ROOT_TASK_POLICY_NAME}), ListAccessKeys of the
 * root user, then DeleteAccessKey of the exposed key when it is listed there. Every other case is
 * `skipped` with its reason (the record escalates it to people).
 */
export async function containRootKey(incident: Incident, action: ContainAction, deps: RootKeyDeps): Promise<StepResult> {
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  const { config } = deps;
  const key = incident.accessKeyId;
  const account = incident.accountId;
  const skip = (reason: string): StepResult => {
    deps.logger.warn('root key: nothing changed', { action, accountId: account, reason });
    return { action, status: 'skipped', detail: reason, at: at() };
  };
  const member = config.organization !== undefined && account !== config.organization.ownAccountId;
  if (!config.deleteMemberRootKeys || !config.organization) {
    return skip(member ? `${BY_HAND}; deleteMemberRootKeys is off, so the responder does not delete it through centralized root access` : BY_HAND);
  }
  if (!member) {
    return skip(`root access key ${key} is of account ${account}, the responder's own (central) account: sts:AssumeRoot reaches member accounts only, so its root user must act; nothing was changed`);
  }
  if (action !== 'deactivate-key') {
    return skip(`the root user takes no IAM policy (its sessions cannot be revoked nor the user quarantined): its access key is DELETED by DeactivateKey instead (deleteMemberRootKeys)`);
  }
  const taskPolicyArn = rootTaskPolicyArn(config.organization.partition);
  if (config.dryRun) {
    const plan = `would DELETE root access key ${key} of member account ${account} (IRREVERSIBLE: a deleted key cannot be restored) through centralized root access (sts:AssumeRoot, task policy ${ROOT_TASK_POLICY_NAME}), once ListAccessKeys of the root user lists it; dry run: no root session was opened, nothing was deleted`;
    deps.logger.info('dry run: would delete a member root key', { accountId: account, accessKeyId: key });
    return { action, status: 'dry-run', detail: plan, at: at() };
  }

  const iam = deps.iamWith(await assumeRoot(incident, taskPolicyArn, deps));
  const listed = await rootCall(incident, taskPolicyArn, 'ListAccessKeys', () => iam.send(new ListAccessKeysCommand({})));
  const keys = (listed.AccessKeyMetadata ?? []).filter((k) => k.AccessKeyId);
  const found = keys.find((k) => k.AccessKeyId === key);
  if (!found) {
    const ids = keys.map((k) => k.AccessKeyId).join(', ') || 'none';
    return skip(
      `IAM does not list access key ${key} among the root user's keys of member account ${account} (ListAccessKeys with the root session lists: ${ids}): ` +
        `it is not that root user's key, or it was deleted already (by a person, or by an earlier attempt of this step); this attempt deleted nothing, a human must find whose key it is`,
    );
  }
  const before = found.Status === 'Active' || found.Status === 'Inactive' ? found.Status : undefined;
  try {
    // Without UserName: the root session's own user, the root user.
    await iam.send(new DeleteAccessKeyCommand({ AccessKeyId: key }));
  } catch (err) {
    if (isNoSuchEntity(err)) {
      return { action, status: 'already', detail: `root access key ${key} of member account ${account} was gone by the time it was to be deleted (ListAccessKeys listed it a moment before): nothing was deleted by the responder`, at: at() };
    }
    rootFailure(incident, taskPolicyArn, 'DeleteAccessKey', err);
  }
  const detail =
    `DELETED root access key ${key} of member account ${account}${before ? ` (it was ${before})` : ''} through centralized root access ` +
    `(sts:AssumeRoot, task policy ${ROOT_TASK_POLICY_NAME}): IRREVERSIBLE, a deleted key cannot be restored`;
  deps.logger.info('member root key deleted', { accountId: account, accessKeyId: key });
  return {
    action,
    status: 'done',
    detail,
    at: at(),
    changes: [{ kind: 'root-access-key-deleted', userName: 'root', accountId: account, accessKeyId: key, ...(before && { before }), restorable: false }],
  };
}

/** Short-lived root credentials in the incident's account, limited to the task policy. */
async function assumeRoot(incident: Incident, taskPolicyArn: string, deps: RootKeyDeps): Promise<AwsCredentialIdentity> {
  const out = await rootCall(incident, taskPolicyArn, 'AssumeRoot', () =>
    deps.sts.send(new AssumeRootCommand({ TargetPrincipal: incident.accountId, TaskPolicyArn: { arn: taskPolicyArn }, DurationSeconds: ROOT_SESSION_SECONDS })),
  );
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
    throw new EscalationRequiredError(`sts:AssumeRoot into account ${incident.accountId} returned no credentials: root access key ${incident.accessKeyId} is NOT deleted.\n${byHand(incident, taskPolicyArn)}`);
  }
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, ...(c.Expiration && { expiration: c.Expiration }) };
}

async function rootCall<T>(incident: Incident, taskPolicyArn: string, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return rootFailure(incident, taskPolicyArn, operation, err);
  }
}

/**
 * A refused call: throttling is retried by the workflow (ThrottledError; other passing failures
 * and expired credentials TransientAwsError), anything else (AccessDenied, centralized root access
 * not enabled, RegionDisabledException, the management account...) is final: people get the commands.
 */
function rootFailure(incident: Incident, taskPolicyArn: string, operation: string, err: unknown): never {
  const what = `${operation}: ${awsErrorCode(err) ?? 'Error'}: ${(err as Error).message}`;
  if (isThrottling(err)) throw new ThrottledError(what, { cause: err });
  // ExpiredTokenException (AssumeRoot's documented error) is transient too: the Lambda's own
  // credentials, renewed by the next attempt.
  if (isTransientAwsError(err)) throw new TransientAwsError(what, { cause: err });
  throw new EscalationRequiredError(
    `${operation === 'AssumeRoot' ? 'sts:AssumeRoot' : `iam:${operation} with the root session`} in member account ${incident.accountId} was refused: ` +
      `${awsErrorCode(err) ?? 'Error'}: ${(err as Error).message}. Root access key ${incident.accessKeyId} is NOT deleted. ` +
      `Centralized root access may not be enabled, this account may be neither the management account nor the delegated administrator for IAM, ` +
      `an SCP may deny it, or account ${incident.accountId} may be the management account (AssumeRoot cannot target it: only its root user can act there).\n` +
      byHand(incident, taskPolicyArn),
    { cause: err },
  );
}

/** What a human runs: enable centralized root access (once), then delete the key through a root session. */
function byHand(incident: Incident, taskPolicyArn: string): string {
  const lines = [
    '# once, in the management account: trusted access for IAM, centralized root access, and the delegation to the responder\'s account',
    'aws organizations enable-aws-service-access --service-principal iam.amazonaws.com',
    'aws iam enable-organizations-root-credentials-management',
    'aws iam enable-organizations-root-sessions',
    'aws organizations register-delegated-administrator --service-principal iam.amazonaws.com --account-id <the responder\'s account>',
    '# then, from the management account or the delegated administrator (a regional STS endpoint):',
    `aws sts assume-root --region us-east-1 --target-principal ${incident.accountId} --task-policy-arn arn=${taskPolicyArn} --duration-seconds 900`,
    '# with the credentials it prints (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN): check the key is listed, then delete it (IRREVERSIBLE)',
    'aws iam list-access-keys',
    `aws iam delete-access-key --access-key-id ${incident.accessKeyId}`,
  ];
  return `A human must act:\n${lines.map((l) => `  ${l}`).join('\n')}\nor sign in as the root user of account ${incident.accountId} and deactivate, then delete, the key on its Security credentials page.`;
}

import {
  AttachUserPolicyCommand,
  CreatePolicyCommand,
  IAMClient,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { awsErrorCode, InvalidIncidentError, rethrowAws } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import {
  compactQuarantinePolicy,
  QUARANTINE_INLINE_POLICY_NAME,
  RESPONDER_POLICY_PATH,
  REVOKE_SESSIONS_POLICY_NAME,
  revocationTime,
  revokeOlderSessionsPolicy,
} from '../shared/policies';
import { ContainAction, StepResult } from '../shared/steps';

export interface ContainConfig {
  /** Report what would be done, change nothing. */
  readonly dryRun: boolean;
  /** The stack's customer-managed quarantine policy (deny of high-risk actions). */
  readonly quarantinePolicyArn: string;
}

export interface ContainDeps {
  readonly iam: IAMClient;
  readonly logger: Log;
  readonly config: ContainConfig;
  readonly now?: () => Date;
}

const NO_SUCH_ENTITY = new Set(['NoSuchEntity', 'NoSuchEntityException']);

/**
 * One containment action, one IAM call (two on the rare fallback): containment is the part where
 * seconds matter, so nothing is read first. Each call is idempotent: setting Inactive twice, putting
 * the same inline policy twice and attaching the same policy twice leave the account the same.
 */
export async function contain(
  incident: Incident,
  action: ContainAction,
  revokeBefore: string,
  deps: ContainDeps,
): Promise<StepResult> {
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  const refusal = refuse(incident);
  if (refusal) {
    deps.logger.warn('containment not allowed for this principal', { action, reason: refusal });
    return { action, status: 'skipped', detail: refusal, at: at() };
  }
  const plan = describe(incident, action, revokeBefore, deps.config);
  if (deps.config.dryRun) {
    deps.logger.info('dry run: would contain', { action, plan });
    return { action, status: 'dry-run', detail: `would ${plan}`, at: at() };
  }
  switch (action) {
    case 'deactivate-key':
      await iamCall(incident, 'UpdateAccessKey', () =>
        deps.iam.send(new UpdateAccessKeyCommand({ UserName: incident.userName, AccessKeyId: incident.accessKeyId, Status: 'Inactive' })),
      );
      break;
    case 'revoke-sessions':
      await revokeSessions(incident, revokeBefore, deps);
      break;
    case 'quarantine':
      if (!(await quarantine(incident, deps))) {
        const fallback = `put inline quarantine policy ${QUARANTINE_INLINE_POLICY_NAME} on user ${incident.userName} (its managed-policy quota is full)`;
        deps.logger.info('contained', { action, plan: fallback });
        return { action, status: 'done', detail: fallback, at: at() };
      }
      break;
  }
  deps.logger.info('contained', { action, plan });
  return { action, status: 'done', detail: plan, at: at() };
}

/** Why this principal must not be touched, or undefined when it may be. */
export function refuse(incident: Incident): string | undefined {
  if (incident.principalType === 'root') {
    return 'root access keys cannot be deactivated from inside the account: the root user must act (see the notification)';
  }
  if (incident.protectedPrincipal) {
    return `user ${incident.userName} is protected by configuration: nothing was changed, a human must act`;
  }
  return undefined;
}

function describe(incident: Incident, action: ContainAction, revokeBefore: string, config: ContainConfig): string {
  switch (action) {
    case 'deactivate-key':
      return `set access key ${incident.accessKeyId} of user ${incident.userName} Inactive`;
    case 'revoke-sessions':
      return `deny every session of user ${incident.userName} issued before ${revocationTime(revokeBefore)} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`;
    case 'quarantine':
      return `attach quarantine policy ${config.quarantinePolicyArn} to user ${incident.userName}`;
  }
}

/**
 * Attaches the managed quarantine policy; true when attached. A user at its quota of managed
 * policies (LimitExceeded) gets the compact inline quarantine instead, and false is returned.
 */
async function quarantine(incident: Incident, deps: ContainDeps): Promise<boolean> {
  try {
    await deps.iam.send(new AttachUserPolicyCommand({ UserName: incident.userName, PolicyArn: deps.config.quarantinePolicyArn }));
    return true;
  } catch (err) {
    if (awsErrorCode(err) !== 'LimitExceeded' && awsErrorCode(err) !== 'LimitExceededException') fail(incident, 'AttachUserPolicy', err);
  }
  deps.logger.warn('managed policy quota full: quarantining with an inline policy', { userName: incident.userName });
  await iamCall(incident, 'PutUserPolicy', () =>
    deps.iam.send(
      new PutUserPolicyCommand({ UserName: incident.userName, PolicyName: QUARANTINE_INLINE_POLICY_NAME, PolicyDocument: JSON.stringify(compactQuarantinePolicy()) }),
    ),
  );
  return false;
}

async function revokeSessions(incident: Incident, revokeBefore: string, deps: ContainDeps): Promise<void> {
  const document = JSON.stringify(revokeOlderSessionsPolicy(revocationTime(revokeBefore)));
  try {
    await deps.iam.send(
      new PutUserPolicyCommand({ UserName: incident.userName, PolicyName: REVOKE_SESSIONS_POLICY_NAME, PolicyDocument: document }),
    );
    return;
  } catch (err) {
    // A user's inline policies share 2,048 characters: when they are full, fall back to a
    // customer-managed policy of our own, attached to the user.
    if (awsErrorCode(err) !== 'LimitExceeded' && awsErrorCode(err) !== 'LimitExceededException') {
      fail(incident, 'PutUserPolicy', err);
    }
    deps.logger.warn('inline policy quota full: revoking through a managed policy', { userName: incident.userName });
  }
  const policyName = `${REVOKE_SESSIONS_POLICY_NAME}-${incident.incidentId}`.slice(0, 128);
  // Same partition as the stack's own quarantine policy (aws, aws-cn, aws-us-gov).
  const partition = deps.config.quarantinePolicyArn.split(':')[1] || 'aws';
  const policyArn = `arn:${partition}:iam::${incident.accountId}:policy${RESPONDER_POLICY_PATH}${policyName}`;
  try {
    await deps.iam.send(new CreatePolicyCommand({ PolicyName: policyName, Path: RESPONDER_POLICY_PATH, PolicyDocument: document }));
  } catch (err) {
    if (awsErrorCode(err) !== 'EntityAlreadyExists' && awsErrorCode(err) !== 'EntityAlreadyExistsException') {
      fail(incident, 'CreatePolicy', err);
    }
  }
  await iamCall(incident, 'AttachUserPolicy', () =>
    deps.iam.send(new AttachUserPolicyCommand({ UserName: incident.userName, PolicyArn: policyArn })),
  );
}

/** Runs one IAM call: a missing user or key can never succeed, throttling is retried by the workflow. */
async function iamCall<T>(incident: Incident, operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    return fail(incident, operation, err);
  }
}

function fail(incident: Incident, operation: string, err: unknown): never {
  if (NO_SUCH_ENTITY.has(awsErrorCode(err) ?? '')) {
    throw new InvalidIncidentError(
      `${operation}: access key ${incident.accessKeyId} of user ${incident.userName} not found: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return rethrowAws(err, operation);
}

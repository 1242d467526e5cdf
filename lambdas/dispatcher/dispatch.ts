import {
  GetAccessKeyLastUsedCommand,
  IAMClient,
  paginateGetAccountAuthorizationDetails,
  paginateListAccessKeys,
} from '@aws-sdk/client-iam';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { awsErrorCode, describeError, InvalidIncidentError, rethrowAws } from '../shared/errors';
import { Detection, isAwsQuarantinePolicyArn, LEGACY_QUARANTINE_INLINE_POLICY, parseDetection } from '../shared/events';
import { Incident, incidentIdFor, isRootUserName } from '../shared/incident';
import { Log } from '../shared/logger';

export interface DispatchConfig {
  readonly stateMachineArn: string;
  /** IAM user names that are never changed: their incidents escalate to people. */
  readonly protectedUsers: readonly string[];
}

export interface DispatchDeps {
  readonly iam: IAMClient;
  readonly sfn: SFNClient;
  readonly logger: Log;
  readonly config: DispatchConfig;
  readonly now?: () => Date;
}

export interface DispatchResult {
  readonly started: Array<{ incidentId: string; executionArn: string; incident: Incident }>;
  /** Incidents whose execution already exists: the same key already reported today. */
  readonly duplicates: Array<{ incidentId: string; incident: Incident }>;
  /** Keys named by the event that could not become an incident, and why. */
  readonly skipped: Array<{ accessKeyId?: string; userName?: string; reason: string }>;
}

interface Target {
  accessKeyId: string;
  userName: string;
}

/**
 * Turns one EventBridge event into incidents (one per exposed key) and starts one execution each.
 * Never guesses: an event of unknown shape throws {@link InvalidIncidentError} (the Lambda fails,
 * EventBridge's async retries end in the dead-letter queue).
 */
export async function dispatch(event: unknown, deps: DispatchDeps): Promise<DispatchResult> {
  const { logger } = deps;
  const now = (deps.now ?? (() => new Date()))();
  const detection = parseDetection(event);
  logger.info('exposure reported', {
    source: detection.source,
    detail: detection.detail,
    accessKeyIds: detection.accessKeyIds,
    userName: detection.userName,
  });

  const skipped: DispatchResult['skipped'] = [];
  const targets = await resolveTargets(detection, deps, skipped);
  const result: DispatchResult = { started: [], duplicates: [], skipped };
  for (const target of targets) {
    const incident = toIncident(detection, target, deps.config, now);
    try {
      const out = await deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: deps.config.stateMachineArn,
          name: incident.incidentId,
          input: JSON.stringify({ incident }),
        }),
      );
      logger.info('response started', { incidentId: incident.incidentId, executionArn: out.executionArn });
      result.started.push({ incidentId: incident.incidentId, executionArn: out.executionArn ?? '', incident });
    } catch (err) {
      if (awsErrorCode(err) === 'ExecutionAlreadyExists') {
        logger.info('duplicate report: this key already has a response today', { incidentId: incident.incidentId, source: incident.source });
        result.duplicates.push({ incidentId: incident.incidentId, incident });
        continue;
      }
      rethrowAws(err, `StartExecution ${incident.incidentId}`);
    }
  }
  if (targets.length === 0) {
    logger.error('exposure reported but no key to contain', { source: detection.source, detail: detection.detail, skipped });
  }
  return result;
}

function toIncident(d: Detection, t: Target, config: DispatchConfig, now: Date): Incident {
  const root = isRootUserName(t.userName);
  return {
    incidentId: incidentIdFor(t.accessKeyId, now),
    source: d.source,
    accountId: d.accountId,
    accessKeyId: t.accessKeyId,
    userName: root ? 'root' : t.userName,
    principalType: root ? 'root' : 'user',
    // IAM user names are unique regardless of case: so is the protected list.
    protectedPrincipal: !root && config.protectedUsers.some((p) => p.toLowerCase() === t.userName.toLowerCase()),
    detectedAt: d.detectedAt,
    dispatchedAt: now.toISOString(),
    detail: d.detail,
    ...(d.awsCaseId ? { awsCaseId: d.awsCaseId } : {}),
    ...(d.leakLocation ? { leakLocation: d.leakLocation } : {}),
  };
}

/** Which (key, user) pairs the event is about. */
async function resolveTargets(d: Detection, deps: DispatchDeps, skipped: DispatchResult['skipped']): Promise<Target[]> {
  if (d.accessKeyIds.length > 0) {
    const targets: Target[] = [];
    for (const accessKeyId of d.accessKeyIds) {
      const userName = d.userName && d.accessKeyIds.length === 1 ? d.userName : await ownerOf(accessKeyId, deps);
      if (userName) targets.push({ accessKeyId, userName });
      else skipped.push({ accessKeyId, reason: 'no such access key in this account (already deleted?)' });
    }
    return targets;
  }
  // No key named: AWS quarantined a user (CloudTrail) or the account (AWS_RISK_IAM_QUARANTINE).
  const users = d.userName ? [d.userName] : await quarantinedUsers(deps);
  if (users.length === 0) skipped.push({ reason: 'no user carries an AWS quarantine policy' });
  const targets: Target[] = [];
  for (const userName of users) {
    const active = await activeKeysOf(userName, deps);
    if (active.length === 0) skipped.push({ userName, reason: 'the user has no active access key' });
    targets.push(...active.map((accessKeyId) => ({ accessKeyId, userName })));
  }
  return targets;
}

async function ownerOf(accessKeyId: string, deps: DispatchDeps): Promise<string | undefined> {
  try {
    const out = await deps.iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: accessKeyId }));
    return out.UserName;
  } catch (err) {
    const code = awsErrorCode(err);
    if (code === 'NoSuchEntity' || code === 'NoSuchEntityException') {
      deps.logger.warn('access key not found', { accessKeyId, error: describeError(err) });
      return undefined;
    }
    return rethrowAws(err, `GetAccessKeyLastUsed ${accessKeyId}`);
  }
}

async function activeKeysOf(userName: string, deps: DispatchDeps): Promise<string[]> {
  const keys: string[] = [];
  try {
    for await (const page of paginateListAccessKeys({ client: deps.iam }, { UserName: userName })) {
      for (const k of page.AccessKeyMetadata ?? []) if (k.Status === 'Active' && k.AccessKeyId) keys.push(k.AccessKeyId);
    }
  } catch (err) {
    const code = awsErrorCode(err);
    if (code === 'NoSuchEntity' || code === 'NoSuchEntityException') {
      throw new InvalidIncidentError(`user ${userName} does not exist`, { cause: err });
    }
    rethrowAws(err, `ListAccessKeys ${userName}`);
  }
  return keys;
}

/** Users carrying an AWS quarantine policy: managed (by ARN prefix) or the legacy inline one. */
async function quarantinedUsers(deps: DispatchDeps): Promise<string[]> {
  const users: string[] = [];
  try {
    for await (const page of paginateGetAccountAuthorizationDetails({ client: deps.iam }, { Filter: ['User'] })) {
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

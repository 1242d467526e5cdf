import { AttachUserPolicyCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { isQuotaExceeded } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import {
  compactQuarantinePolicy,
  QUARANTINE_INLINE_POLICY_NAME,
  REVOKE_SESSIONS_POLICY_NAME,
  revocationTime,
} from '../shared/policies';
import { ProtectionRules } from '../shared/protection';
import { ContainAction, StepResult } from '../shared/steps';
import { readRevocationTime, userProtection } from '../shared/user-reads';
import { quarantineEscalation } from './escalation';
import { fail, iamCall, putInlinePolicy } from './iam-call';
import { revokeSessions } from './revoke';

export interface ContainConfig {
  /** Report what would be done, change nothing. */
  readonly dryRun: boolean;
  /** The stack's customer-managed quarantine policy (deny of high-risk actions). */
  readonly quarantinePolicyArn: string;
  /** Users never changed (PROTECTED_USERS): checked here, against what IAM says of the user now. */
  readonly protectedPrincipals: ProtectionRules;
}

export interface ContainDeps {
  readonly iam: IAMClient;
  readonly logger: Log;
  readonly config: ContainConfig;
  readonly now?: () => Date;
}

const HUMAN_MUST_ACT = 'nothing was changed, a human must act';

/**
 * One containment action on the exposed key's user. Before any change it reads the user
 * (GetUser: path and tags) and refuses a protected one, whatever the incident says; revoke-sessions
 * reads the revoke time already in place at the same moment (the two reads run in parallel). Then
 * one write (two on the quarantine's inline fallback; revoke-sessions reads its write back once).
 * Each write is idempotent: the same call twice leaves the account the same.
 */
export async function contain(incident: Incident, action: ContainAction, revokeBefore: string, deps: ContainDeps): Promise<StepResult> {
  const at = () => (deps.now ?? (() => new Date()))().toISOString();
  const skip = (reason: string): StepResult => {
    deps.logger.warn('containment refused', { action, userName: incident.userName, reason });
    return { action, status: 'skipped', detail: reason, at: at() };
  };
  if (incident.principalType === 'root') {
    return skip('root access keys cannot be deactivated from inside the account: the root user must act (see the notification)');
  }
  if (incident.protectedPrincipal) return skip(`user ${incident.userName} is protected by configuration: ${HUMAN_MUST_ACT}`);

  const revoking = action === 'revoke-sessions' && !deps.config.dryRun;
  const [protection, inPlace] = await Promise.allSettled([
    iamCall(incident, 'GetUser', () => userProtection(deps.iam, incident.userName, deps.config.protectedPrincipals)),
    revoking ? iamCall(incident, 'GetUserPolicy', () => readRevocationTime(deps.iam, incident.userName)) : Promise.resolve(undefined),
  ]);
  if (protection.status === 'rejected') throw protection.reason;
  if (protection.value) return skip(`${protection.value}: ${HUMAN_MUST_ACT}`);
  if (inPlace.status === 'rejected') throw inPlace.reason;

  const own = revocationTime(revokeBefore);
  if (deps.config.dryRun) {
    const plan = describe(incident, action, own, deps.config);
    deps.logger.info('dry run: would contain', { action, plan });
    return { action, status: 'dry-run', detail: `would ${plan}`, at: at() };
  }
  let detail: string;
  switch (action) {
    case 'deactivate-key':
      await iamCall(incident, 'UpdateAccessKey', () =>
        deps.iam.send(new UpdateAccessKeyCommand({ UserName: incident.userName, AccessKeyId: incident.accessKeyId, Status: 'Inactive' })),
      );
      detail = describe(incident, action, own, deps.config);
      break;
    case 'revoke-sessions': {
      const revocation = await revokeSessions(incident, own, inPlace.value, deps);
      detail = describe(incident, action, revocation.revokedBefore, deps.config);
      if (revocation.revokedBefore !== own) detail += ` (kept the later time in place; this response's own is ${own})`;
      break;
    }
    case 'quarantine':
      detail = await quarantine(incident, deps);
      break;
  }
  deps.logger.info('contained', { action, detail });
  return { action, status: 'done', detail, at: at() };
}

function describe(incident: Incident, action: ContainAction, revokedBefore: string, config: ContainConfig): string {
  switch (action) {
    case 'deactivate-key':
      return `set access key ${incident.accessKeyId} of user ${incident.userName} Inactive`;
    case 'revoke-sessions':
      return `deny every session of user ${incident.userName} issued before ${revokedBefore} (inline policy ${REVOKE_SESSIONS_POLICY_NAME})`;
    case 'quarantine':
      return `attach quarantine policy ${config.quarantinePolicyArn} to user ${incident.userName}`;
  }
}

/**
 * Attaches the managed quarantine policy. A user at its quota of managed policies (LimitExceeded)
 * gets the compact inline quarantine instead; when its inline policies are full too, a human must
 * act (EscalationRequiredError with the commands). Returns what was done.
 */
async function quarantine(incident: Incident, deps: ContainDeps): Promise<string> {
  const { quarantinePolicyArn } = deps.config;
  try {
    await deps.iam.send(new AttachUserPolicyCommand({ UserName: incident.userName, PolicyArn: quarantinePolicyArn }));
    return describe(incident, 'quarantine', '', deps.config);
  } catch (err) {
    if (!isQuotaExceeded(err)) fail(incident, 'AttachUserPolicy', err);
  }
  deps.logger.warn('managed policy quota full: quarantining with an inline policy', { userName: incident.userName });
  const document = compactQuarantinePolicy();
  await putInlinePolicy(deps.iam, incident, QUARANTINE_INLINE_POLICY_NAME, document, (err) => {
    deps.logger.error('managed and inline policy quotas full: the quarantine cannot be put in place, escalating', { userName: incident.userName });
    return quarantineEscalation(incident.userName, quarantinePolicyArn, QUARANTINE_INLINE_POLICY_NAME, document, err);
  });
  return `put inline quarantine policy ${QUARANTINE_INLINE_POLICY_NAME} on user ${incident.userName} (its managed-policy quota is full)`;
}

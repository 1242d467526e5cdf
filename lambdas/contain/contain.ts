import { AttachUserPolicyCommand, IAMClient, UpdateAccessKeyCommand } from '@aws-sdk/client-iam';
import { isQuotaExceeded } from '../shared/errors';
import { Incident } from '../shared/incident';
import { Log } from '../shared/logger';
import {
  compactQuarantinePolicy,
  QUARANTINE_INLINE_POLICY_NAME,
  REVOKE_SESSIONS_POLICY_NAME,
  revocationTime,
  revokeOlderSessionsPolicy,
} from '../shared/policies';
import { ProtectionRules } from '../shared/protection';
import { ContainAction, StepResult } from '../shared/steps';
import { UserChange } from '../shared/user-changes';
import { readInlinePolicy, revocationTimeOf, userProtection } from '../shared/user-reads';
import { Before, readBefore } from './before';
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

  // What is there before the change (the record keeps it for restore); nothing is read in a dry run.
  const [protection, found] = await Promise.allSettled([
    iamCall(incident, 'GetUser', () => userProtection(deps.iam, incident.userName, deps.config.protectedPrincipals)),
    deps.config.dryRun ? Promise.resolve<Before>({}) : readBefore(incident, action, deps.config.quarantinePolicyArn, deps),
  ]);
  if (protection.status === 'rejected') throw protection.reason;
  if (protection.value) return skip(`${protection.value}: ${HUMAN_MUST_ACT}`);
  if (found.status === 'rejected') throw found.reason;
  const before = found.value;

  const own = revocationTime(revokeBefore);
  if (deps.config.dryRun) {
    const plan = describe(incident, action, own, deps.config);
    deps.logger.info('dry run: would contain', { action, plan });
    return { action, status: 'dry-run', detail: `would ${plan}`, at: at() };
  }
  let detail: string;
  let changes: UserChange[];
  const user = { userName: incident.userName };
  switch (action) {
    case 'deactivate-key':
      await iamCall(incident, 'UpdateAccessKey', () =>
        deps.iam.send(new UpdateAccessKeyCommand({ UserName: incident.userName, AccessKeyId: incident.accessKeyId, Status: 'Inactive' })),
      );
      detail = describe(incident, action, own, deps.config);
      changes = [{ kind: 'access-key-status', ...user, accessKeyId: incident.accessKeyId, ...(before.keyStatus && { before: before.keyStatus }), after: 'Inactive' }];
      break;
    case 'revoke-sessions': {
      const revocation = await revokeSessions(incident, own, revocationTimeOf(before.revokeDocument), deps);
      detail = describe(incident, action, revocation.revokedBefore, deps.config);
      if (revocation.revokedBefore !== own) detail += ` (kept the later time in place; this response's own is ${own})`;
      const after = JSON.stringify(revokeOlderSessionsPolicy(revocation.revokedBefore));
      changes = [{ kind: 'inline-policy', ...user, policyName: REVOKE_SESSIONS_POLICY_NAME, ...(before.revokeDocument !== undefined && { before: before.revokeDocument }), after }];
      break;
    }
    case 'quarantine':
      ({ detail, changes } = await quarantine(incident, before, deps));
      break;
  }
  deps.logger.info('contained', { action, detail });
  return { action, status: 'done', detail, at: at(), changes };
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
async function quarantine(incident: Incident, before: Before, deps: ContainDeps): Promise<{ detail: string; changes: UserChange[] }> {
  const { quarantinePolicyArn } = deps.config;
  const user = { userName: incident.userName };
  try {
    await deps.iam.send(new AttachUserPolicyCommand({ UserName: incident.userName, PolicyArn: quarantinePolicyArn }));
    const attachedBefore = before.quarantineAttached === undefined ? {} : { attachedBefore: before.quarantineAttached };
    return { detail: describe(incident, 'quarantine', '', deps.config), changes: [{ kind: 'managed-policy', ...user, policyArn: quarantinePolicyArn, ...attachedBefore }] };
  } catch (err) {
    if (!isQuotaExceeded(err)) fail(incident, 'AttachUserPolicy', err);
  }
  deps.logger.warn('managed policy quota full: quarantining with an inline policy', { userName: incident.userName });
  const document = compactQuarantinePolicy();
  // The inline quarantine already there (a response to another key of the user): restore puts it back.
  const found = await iamCall(incident, 'GetUserPolicy', () => readInlinePolicy(deps.iam, incident.userName, QUARANTINE_INLINE_POLICY_NAME));
  await putInlinePolicy(deps.iam, incident, QUARANTINE_INLINE_POLICY_NAME, document, (err) => {
    deps.logger.error('managed and inline policy quotas full: the quarantine cannot be put in place, escalating', { userName: incident.userName });
    return quarantineEscalation(incident.userName, quarantinePolicyArn, QUARANTINE_INLINE_POLICY_NAME, document, err);
  });
  return {
    detail: `put inline quarantine policy ${QUARANTINE_INLINE_POLICY_NAME} on user ${incident.userName} (its managed-policy quota is full)`,
    changes: [{ kind: 'inline-policy', ...user, policyName: QUARANTINE_INLINE_POLICY_NAME, ...(found !== undefined && { before: found }), after: JSON.stringify(document) }],
  };
}

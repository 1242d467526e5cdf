// GuardDuty findings about temporary credentials (ASIA...): the sessions of the role they belong to
// are revoked, by the footholds step's own code (plan, protection re-check, revoke action): the
// finding is an `assumed-role` foothold whose proof is the finding instead of a CloudTrail record.
import { GetRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { containFootholds } from '../footholds/contain';
import { Foothold, FootholdResult } from '../footholds/contract';
import { ProtectionCheck } from '../footholds/planned';
import { Detection } from '../shared/detection';
import { rethrowAws } from '../shared/errors';
import { Log } from '../shared/logger';
import { isNoSuchEntity } from '../shared/user-reads';
import { role as roleItem } from './items';
import { UnresolvedItem } from './notice';

export interface RoleSessionConfig {
  /** DRY_RUN: say what would be revoked, change nothing. */
  readonly dryRun: boolean;
  /** PROTECTED_USERS and PROTECTED_ROLES (and the protection tag), as the footholds step checks them. */
  readonly protection: ProtectionCheck;
}

export interface RoleSessionOutcome {
  /** Role ARNs handled here: the dispatcher's own "revoke by hand" items about them are replaced by this. */
  readonly handled: readonly string[];
  /** What was done (or found in place), one line each with its undo command. */
  readonly contained: readonly string[];
  /** What a person must do: a service-linked or protected role, a dry run, a failed call. */
  readonly open: readonly UnresolvedItem[];
}

const NOTHING: RoleSessionOutcome = { handled: [], contained: [], open: [] };

/** A role of this account as the GuardDuty parser names it: `arn:aws:iam::<account>:role/<name>`. */
function roleNameOf(arn: string, accountId: string): string | undefined {
  const m = /^arn:aws:iam::(\d{12}):role\/([\w+=,.@-]{1,64})$/.exec(arn);
  return m && m[1] === accountId ? m[2] : undefined;
}

/**
 * For a GuardDuty finding whose credentials are temporary (ASIA...) and whose session's role is of
 * this account: denies every session of that role issued before now (the inline policy
 * AWSRevokeOlderSessions, the console's "Revoke active sessions"), never on a service-linked or
 * protected role. Never touches an access key. Anything else: nothing handled.
 *
 * Throws what containFootholds throws (TransientAwsError, ContainmentNotVerifiedError) after
 * trying every role: the invocation fails and EventBridge delivers the finding again; the revoke
 * reads before it writes, so a retry finds it in place.
 */
export async function revokeFindingRoleSessions(
  d: Detection,
  deps: { readonly iam: IAMClient; readonly logger: Log; readonly accountId: string; readonly config: RoleSessionConfig; readonly now: Date },
): Promise<RoleSessionOutcome> {
  const sessionKeys = d.unusableKeys.filter((k) => k.reason === 'temporary-credentials').map((k) => k.value);
  if (d.source !== 'guardduty' || sessionKeys.length === 0) return NOTHING;
  const roles = d.roles.flatMap((arn) => {
    const name = roleNameOf(arn, deps.accountId);
    return name ? [{ arn, name }] : [];
  });
  if (roles.length === 0) return NOTHING;

  const region = d.eventArn?.split(':')[3] || 'an unnamed region';
  const footholds: Foothold[] = [];
  for (const r of roles) {
    footholds.push({
      kind: 'assumed-role',
      roleArn: r.arn,
      roleName: r.name,
      // The planner refuses a service-linked role by its path (also in a dry run); the executor reads it again.
      path: await rolePath(deps.iam, r.name),
      sessionKeyId: sessionKeys[0],
      proof: { eventId: d.eventArn ?? d.eventCode, eventTime: d.detectedAt, eventName: `GuardDuty ${d.eventCode}`, region, callerKeyId: sessionKeys[0] },
    });
  }
  const out = await containFootholds(
    { footholds, sessions: [], records: { read: 0, unreadable: 0, tied: 0 }, truncated: [], gaps: [] },
    { accountId: deps.accountId, userName: roles[0].name },
    {
      iam: deps.iam,
      stopInstance: noInstance,
      logger: deps.logger,
      protection: deps.config.protection,
      now: () => deps.now,
      // An assumed-role foothold plans only the revoke: no quarantine policy, no instance.
      config: { dryRun: deps.config.dryRun, quarantinePolicyArn: '', stopLaunchedInstances: false, revokeBefore: deps.now.toISOString() },
    },
  );
  const arnOf = (r: FootholdResult) => roles.find((x) => r.id.endsWith(` ${x.name}`))?.arn ?? roles[0].arn;
  const contained: string[] = [];
  const open: UnresolvedItem[] = [];
  for (const r of out.results) {
    if (r.status === 'done' || r.status === 'already') {
      // "already" without an undo: the role no longer exists (nothing of it can be used).
      const label = r.status === 'done' ? 'Revoked' : r.undo ? 'Already revoked' : 'Nothing to revoke';
      contained.push(`${label}: ${r.detail}. Seen: ${r.foothold}.${r.undo ? ` Undo: ${r.undo}` : ''}`);
    } else {
      const why = r.status === 'dry-run' ? `dry run, nothing was changed: ${r.detail}` : r.detail;
      open.push({
        reason: 'role-sessions',
        about: `role ${arnOf(r)}`,
        finding: `the temporary credentials ${sessionKeys.join(', ')} belong to this role; its sessions were not revoked (${why}). A person must decide; no access key was changed. Seen: ${r.foothold}.`,
        commands: [...(r.command ? [r.command] : []), ...roleItem(arnOf(r)).commands],
      });
    }
  }
  deps.logger.info('role sessions of a GuardDuty finding', { roles: roles.map((r) => r.name), statuses: out.results.map((r) => r.status), dryRun: deps.config.dryRun });
  return { handled: roles.map((r) => r.arn), contained, open };
}

/**
 * Whether the dispatcher's own item is replaced by the outcome (the item is then not told): once a
 * role was handled, the temporary credentials it names, and the "revoke by hand" item of each
 * handled role. An item about any other role stays.
 */
export function replacedByRoleSessions(outcome: Pick<RoleSessionOutcome, 'handled'>, item: Pick<UnresolvedItem, 'reason' | 'about'>): boolean {
  if (outcome.handled.length === 0) return false;
  if (item.reason === 'temporary-credentials') return true;
  return item.reason === 'role' && outcome.handled.some((arn) => item.about === `role ${arn}`);
}

/** The role's IAM path; `/` when IAM knows no such role (the executor then reports it gone). */
async function rolePath(iam: IAMClient, roleName: string): Promise<string> {
  try {
    return (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.Path ?? '/';
  } catch (err) {
    if (isNoSuchEntity(err)) return '/';
    rethrowAws(err, `GetRole ${roleName}`);
  }
}

/** The dispatcher stops no instance: an assumed-role foothold never plans one. */
function noInstance(region: string, instanceId: string): never {
  throw new Error(`the dispatcher stops no instance (asked for ${instanceId} in ${region})`);
}

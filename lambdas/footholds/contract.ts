// The footholds step's contract: its input, what it did about each foothold (containFootholds'
// output) and the permissions it needs. What CloudTrail ties to the leaked key (findFootholds'
// output, the second look) is in found-schema.ts, re-exported here. Light on purpose (zod/mini
// only): the workflow, the report and the stack import it.
import * as z from 'zod/mini';
import { IncidentSchema } from '../shared/incident';
import { FootholdsSchema } from './found-schema';

export * from './found-schema';

/**
 * The inline policy the IAM console puts on a role when someone chooses "Revoke active sessions"
 * (IAM User Guide, "Revoke IAM role temporary security credentials"). The responder uses the same
 * name on roles, so a later revoke from the console replaces it instead of adding a second one.
 */
export const ROLE_REVOKE_SESSIONS_POLICY_NAME = 'AWSRevokeOlderSessions';

/** IAM path of service-linked roles: never changed (AWS refuses it, and so does the responder). */
export const SERVICE_LINKED_ROLE_PATH = '/aws-service-role/';

/** The footholds step's input (Task Parameters): the incident, the execution's start, the investigation's footholds. */
export const FootholdsInputSchema = z.object({
  incident: IncidentSchema,
  /** The execution's start (ISO 8601): sessions issued before the revocation time of it are revoked. */
  revokeBefore: z.iso.datetime({ offset: true }),
  footholds: FootholdsSchema,
  /**
   * The evidence step's result (its slot in the workflow state: snapshots, or its failure): only an
   * instance whose snapshots it created or found may be stopped. Absent: no restriction.
   */
  evidence: z.optional(z.unknown()),
});
export type FootholdsInput = z.infer<typeof FootholdsInputSchema>;

/** Statuses of the evidence step that say an instance's volumes are kept. */
const PRESERVED = new Set(['created', 'existing']);

/**
 * `region instanceId` of the instances the evidence step snapshotted (or found snapshotted), from
 * its result as the workflow state holds it; a failure or a skipped step preserved none. Undefined
 * when no evidence was given.
 */
export function preservedInstances(evidence: unknown): Set<string> | undefined {
  if (evidence === undefined) return undefined;
  const snapshots = (evidence as { snapshots?: unknown } | null)?.snapshots;
  if (!Array.isArray(snapshots)) return new Set();
  return new Set(
    snapshots
      .filter((s): s is { region: string; instanceId: string; status: string } =>
        typeof s?.region === 'string' && typeof s?.instanceId === 'string' && PRESERVED.has(s?.status))
      .map((s) => `${s.region} ${s.instanceId}`),
  );
}

export const FOOTHOLD_ACTIONS = [
  'deactivate-key',
  'revoke-user-sessions',
  'quarantine-user',
  'deactivate-user-keys',
  'delete-login-profile',
  'revoke-role-sessions',
  'quarantine-role',
  'deactivate-service-credential',
  'stop-instance',
  /** Nothing the responder may do: a human must (another account's role, an instance not stopped...). */
  'action-required',
  /** Reported with its undo command. */
  'report',
] as const;
export type FootholdAction = (typeof FOOTHOLD_ACTIONS)[number];

export const FootholdResultSchema = z.object({
  /** Stable across runs: `<action> <target>`. */
  id: z.string(),
  action: z.enum(FOOTHOLD_ACTIONS),
  /** The foothold, one human line with its proof ("user support-admin created at ... (event ...)"). */
  foothold: z.string(),
  /**
   * done: changed now; already: found in place; skipped: not allowed (protected, service-linked);
   * dry-run: would have; failed: the call failed (see `errorCode`, `command`); open: a human must
   * act (`command`); reported: nothing to contain (covered by another action, or informational).
   */
  status: z.enum(['done', 'already', 'skipped', 'dry-run', 'failed', 'open', 'reported']),
  detail: z.string(),
  /**
   * The command that undoes this containment (done now, or found in place: a retried step finds what
   * its first attempt did), or what the attacker did for report-only footholds.
   */
  undo: z.optional(z.string()),
  /** The command a human runs to finish it (failed, open, skipped). */
  command: z.optional(z.string()),
  errorCode: z.optional(z.string()),
  at: z.string(),
});
export type FootholdResult = z.infer<typeof FootholdResultSchema>;

export const FootholdContainmentSchema = z.object({
  results: z.array(FootholdResultSchema),
  summary: z.object({
    /** True only when every foothold found is contained and nothing was left out or unreadable. */
    contained: z.boolean(),
    containedCount: z.number(),
    /** What is still open, first lines of the email: each with the command that finishes it. */
    open: z.array(z.object({ what: z.string(), command: z.optional(z.string()) })),
  }),
  /**
   * Set when results were left out of `results` to keep the workflow state small (what is done
   * last, first): how many, and their statuses. The summary counts every result.
   */
  truncated: z.optional(z.string()),
});
export type FootholdContainment = z.infer<typeof FootholdContainmentSchema>;

/**
 * What the footholds Lambda's role needs, for the stack. Reads: the principal's path and tags (the
 * protection check), what is already in place (so a re-run writes nothing twice). Writes: each on
 * the narrowest resource IAM allows:
 * - `iam:PutRolePolicy` on `role/*` except `role/aws-service-role/*` (an explicit Deny, or
 *   NotResource), and the protected-principal Deny of the stack covering roles too;
 * - `iam:AttachUserPolicy` only with the condition `iam:PolicyARN` = the stack's quarantine policy;
 * - `iam:PutUserPolicy` on users (the revoke, and the compact inline quarantine when the user's
 *   managed-policy quota is full).
 * `ec2:StopInstances` ({@link FOOTHOLD_STOP_ACTIONS}) only when `stopLaunchedInstances` is true.
 */
export const FOOTHOLD_READ_ACTIONS: readonly string[] = [
  'iam:GetUser', 'iam:GetRole', 'iam:ListAccessKeys', 'iam:GetUserPolicy', 'iam:GetRolePolicy',
  'iam:ListAttachedUserPolicies', 'iam:ListServiceSpecificCredentials',
];
export const FOOTHOLD_USER_WRITE_ACTIONS: readonly string[] = [
  'iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:AttachUserPolicy', 'iam:DeleteLoginProfile', 'iam:UpdateServiceSpecificCredential',
];
export const FOOTHOLD_ROLE_WRITE_ACTIONS: readonly string[] = ['iam:PutRolePolicy'];
export const FOOTHOLD_STOP_ACTIONS: readonly string[] = ['ec2:StopInstances'];

// The plan's shapes: what the planner decides and the executor carries out.
import { PrincipalFacts, PROTECTED_TAG_KEY } from '../shared/protection';
import { FootholdAction } from './contract';

export interface FootholdConfig {
  /** Plan and report, change nothing. */
  readonly dryRun: boolean;
  /** The stack's customer-managed quarantine policy, attached to the users the key created. */
  readonly quarantinePolicyArn: string;
  /** Stop the instances the key launched or started (context `stopLaunchedInstances`); default: only report them. */
  readonly stopLaunchedInstances: boolean;
  /**
   * `region instanceId` of the instances whose volumes are snapshotted (the evidence step's
   * result): only those may be stopped. Undefined: the caller did not say (no restriction).
   */
  readonly preserved?: ReadonlySet<string>;
  /** The execution's start: sessions issued before {@link revocationTime} of it are revoked. */
  readonly revokeBefore: string;
}

/** A principal, as the protection check reads it (lambdas/shared/protection.ts), and whether it is a user or a role. */
export interface Principal extends PrincipalFacts {
  readonly kind: 'user' | 'role';
}

/** Why a principal must never be changed (protected list, path, tag), or undefined. */
export type ProtectionCheck = (principal: Principal) => string | undefined;

export type Target =
  | { readonly type: 'access-key'; readonly userName: string; readonly accessKeyId: string }
  | { readonly type: 'user'; readonly userName: string }
  | { readonly type: 'role'; readonly roleName: string }
  | { readonly type: 'service-credential'; readonly userName: string; readonly credentialId: string }
  | { readonly type: 'instance'; readonly region: string; readonly instanceId: string }
  | { readonly type: 'none' };

export interface PlannedAction {
  /** Stable across runs: `<action> <target>`; two footholds needing the same action plan it once. */
  readonly id: string;
  readonly action: FootholdAction;
  /** The foothold, one line with its proof. */
  readonly foothold: string;
  /** What is (or would be) done: "set access key X of user Y Inactive". */
  readonly description: string;
  readonly target: Target;
  /** The principal whose protection is checked (again, from IAM) before acting. */
  readonly principal?: Principal;
  /**
   * How far its protection is believed. `ignored`: the leaked key created it, and chose its name,
   * path and tags: an attacker's backdoor is never a break-glass principal. `tag-ignored`: the key
   * itself put the protection tag on it. Otherwise (absent) every rule applies.
   */
  readonly protection?: 'ignored' | 'tag-ignored';
  /** Why nothing will be done (service-linked role, protected): reported as skipped. */
  readonly skip?: string;
  /** The command that undoes the action (or, for a report-only foothold, what the attacker did). */
  readonly undo?: string;
  /** The command a human runs to do it by hand. */
  readonly command?: string;
  /** For report and action-required: true when it leaves something open. */
  readonly open?: boolean;
  /** The revoke or quarantine document put. */
  readonly document?: { readonly name: string; readonly json: string; readonly revokedBefore?: string };
}

/** The principal as its protection is judged: without the protection tag when the leaked key put it there. */
export function believed(principal: Principal, mode: PlannedAction['protection']): Principal {
  if (mode !== 'tag-ignored' || !principal.tags) return principal;
  const tags = Object.fromEntries(Object.entries(principal.tags).filter(([k]) => k.toLowerCase() !== PROTECTED_TAG_KEY));
  return { ...principal, tags };
}

// The evidence step's output contract, light on purpose (zod/mini only): the workflow state schema
// (lambdas/shared/state.ts) composes it, so the report, support, Slack and notify steps read it typed.
import * as z from 'zod/mini';

export const SNAPSHOT_STATUSES = ['created', 'existing', 'gone', 'dry-run', 'failed'] as const;
/**
 * created: snapshots were started now; existing: a former run (a retry, an earlier incident of the
 * same key) already took them; gone: the instance no longer exists (nothing to preserve, not an
 * error); dry-run: would have been snapshotted; failed: could not be snapshotted (`error` says why).
 */
export type SnapshotStatus = (typeof SNAPSHOT_STATUSES)[number];

/** The operating system an instance is priced as: `Windows` when DescribeInstances says `Platform: windows`, else Linux. */
export const OPERATING_SYSTEMS = ['Linux', 'Windows'] as const;
export type OperatingSystem = (typeof OPERATING_SYSTEMS)[number];

/** Running or about to (`pending`), or a state not known: what bills by the hour; stopped or terminated does not. */
export function billsByTheHour(state: string | undefined): boolean {
  return state === undefined || state === 'running' || state === 'pending';
}

export const InstanceEvidenceSchema = z.object({
  region: z.string(),
  instanceId: z.string(),
  status: z.enum(SNAPSHOT_STATUSES),
  snapshotIds: z.array(z.string()),
  volumeIds: z.array(z.string()),
  /** The AWS error code when `failed`; when `created`, the look-up of earlier snapshots that failed (then they may be duplicates). */
  error: z.optional(z.string()),
  // What DescribeInstances said (absent when the instance could not be described), for the cost exposure.
  instanceType: z.optional(z.string()),
  /** EC2 state name: running, stopped... */
  state: z.optional(z.string()),
  /** When it was last launched or started (ISO 8601): running since, when `running`. */
  launchTime: z.optional(z.string()),
  operatingSystem: z.optional(z.enum(OPERATING_SYSTEMS)),
  /** default, dedicated or host. */
  tenancy: z.optional(z.string()),
  /** The hourly on-demand list price in USD (AWS Price List API); absent when it could not be had. */
  usdPerHour: z.optional(z.number()),
  /** Why there is no price, in a few words. */
  priceUnknown: z.optional(z.string()),
});
export type InstanceEvidence = z.infer<typeof InstanceEvidenceSchema>;

/** What the step returns; the workflow's `EvidenceSkipped` state says `skipped` instead when no instance is known. */
export const EvidenceResultSchema = z.object({
  snapshots: z.array(InstanceEvidenceSchema),
  dryRun: z.optional(z.boolean()),
  /** Why the step did not run (set by the workflow, not the Lambda). */
  skipped: z.optional(z.string()),
});
export type EvidenceResult = z.infer<typeof EvidenceResultSchema>;

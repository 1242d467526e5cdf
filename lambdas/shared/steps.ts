// zod/mini: the same schemas as classic zod at a fraction of the bundle (16 KB against 450 KB).
import * as z from 'zod/mini';
import { InvalidIncidentError } from './errors';
import { IncidentSchema } from './incident';

/** What every workflow step reports; the notification and the drill read these. */
export const StepResultSchema = z.object({
  action: z.string(),
  /** done: changed the account; already: found it in place; skipped: not allowed to act; dry-run: would have. */
  status: z.enum(['done', 'already', 'skipped', 'dry-run']),
  detail: z.string(),
  at: z.string(),
});
export type StepResult = z.infer<typeof StepResultSchema>;

/** What a Catch puts at its ResultPath. */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;

/** A containment branch that failed after its retries: caught in the branch so the others finish. */
export const StepFailureSchema = z.object({
  failed: z.object({ step: z.string(), error: CaughtErrorSchema }),
});
export type StepFailure = z.infer<typeof StepFailureSchema>;

export const ContainActionSchema = z.enum(['deactivate-key', 'revoke-sessions', 'quarantine']);
export type ContainAction = z.infer<typeof ContainActionSchema>;

export const ContainInputSchema = z.object({
  incident: IncidentSchema,
  action: ContainActionSchema,
  /** Sessions issued before this instant are revoked: the execution's start, the same on every retry. */
  revokeBefore: z.iso.datetime({ offset: true }),
});

export const VerifyInputSchema = z.object({
  incident: IncidentSchema,
  revokeBefore: z.iso.datetime({ offset: true }),
});

/** The step that failed the response, set by the workflow's failure Pass states. */
export const FailureSchema = z.object({ step: z.string(), error: CaughtErrorSchema, executionId: z.optional(z.string()) });
export type Failure = z.infer<typeof FailureSchema>;

export const VerificationSchema = z.object({
  status: z.enum(['verified', 'skipped', 'dry-run']),
  keyStatus: z.optional(z.string()),
  otherKeys: z.array(z.object({ accessKeyId: z.string(), status: z.string() })),
  sessionsRevokedBefore: z.optional(z.string()),
  quarantineAttached: z.boolean(),
  checkedAt: z.string(),
  problems: z.array(z.string()),
});
export type Verification = z.infer<typeof VerificationSchema>;

/**
 * The fields of the workflow state the report and notify steps both parse: containment and
 * verification strictly (the workflow wrote them), the investigation and evidence defensively.
 */
export const CheckedStateShape = {
  incident: IncidentSchema,
  /** The Step Functions execution, for "where to look". */
  executionId: z.optional(z.string()),
  containment: z.optional(z.array(z.union([StepResultSchema, StepFailureSchema]))),
  verification: z.optional(VerificationSchema),
  /** What the investigate and evidence steps returned (or `{ failed }`): read defensively. */
  investigation: z.optional(z.unknown()),
  evidence: z.optional(z.unknown()),
  failure: z.optional(FailureSchema),
};

/** A result notification, or a failure notification when `failure` is present. */
export const NotifyInputSchema = z.object({
  ...CheckedStateShape,
  /** What the report step returned (or `{ failed }`): read defensively. */
  report: z.optional(z.unknown()),
  /** What the support and slack steps returned (or `{ failed }`): read defensively. */
  support: z.optional(z.unknown()),
  slack: z.optional(z.unknown()),
});
export type NotifyInput = z.infer<typeof NotifyInputSchema>;

/**
 * The workflow's state as the steps after the report read it (support, Slack): only the incident is
 * checked strictly; every step's output is read defensively, as it may be `{ failed }` or of a shape
 * from another version.
 */
export const WorkflowStateSchema = z.looseObject({
  incident: IncidentSchema,
  /** The Step Functions execution, for "where to look". */
  executionId: z.optional(z.string()),
  containment: z.optional(z.unknown()),
  verification: z.optional(z.unknown()),
  investigation: z.optional(z.unknown()),
  evidence: z.optional(z.unknown()),
  /** The report step's output: `consoleUrl` says where the incident report is. */
  report: z.optional(z.unknown()),
  /** The support step's result: `{ status, caseId?, displayId?, reason? }` or `{ failed }`. */
  support: z.optional(z.unknown()),
  /** Set by the workflow's failure path: the step that failed the response. */
  failure: z.optional(z.unknown()),
});
export type WorkflowState = z.infer<typeof WorkflowStateSchema>;

/** Parses a step's input; a shape that does not fit can never succeed, so it is not retried. */
export function parseStepInput<T extends z.ZodMiniType>(schema: T, input: unknown, step: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new InvalidIncidentError(`${step}: input does not fit: ${issues}`);
  }
  return parsed.data;
}

// zod/mini: the same schemas as classic zod at a fraction of the bundle (16 KB against 450 KB).
import * as z from 'zod/mini';
import { InvalidIncidentError } from './errors';
import { IncidentSchema } from './incident';
import { UserChangeSchema } from './user-changes';

/** What every workflow step reports; the notification and the drill read these. */
export const StepResultSchema = z.object({
  action: z.string(),
  /** done: changed the account; already: found it in place; skipped: not allowed to act; dry-run: would have. */
  status: z.enum(['done', 'already', 'skipped', 'dry-run']),
  detail: z.string(),
  at: z.string(),
  /** What a containment action changed on the user, with the state before it (restore reads it). */
  changes: z.optional(z.array(UserChangeSchema)),
});
export type StepResult = z.infer<typeof StepResultSchema>;

/** What a Catch puts at its ResultPath. */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.optional(z.string()) });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;

/**
 * The one failure shape of the workflow: every Catch puts `{ failed: { step, error } }` in the slot
 * of the step that failed (a containment branch in its element of `containment`).
 */
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

/** Parses a step's input; a shape that does not fit can never succeed, so it is not retried. */
export function parseStepInput<T extends z.ZodMiniType>(schema: T, input: unknown, step: string): z.infer<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new InvalidIncidentError(`${step}: input does not fit: ${issues}`);
  }
  return parsed.data;
}

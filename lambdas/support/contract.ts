// The support step's output contract, light on purpose (zod/mini only): the workflow state schema
// (lambdas/shared/state.ts) composes it, so later steps read the answer typed.
import * as z from 'zod/mini';

export const SUPPORT_STATUSES = ['communication-added', 'already-answered', 'case-created', 'unavailable', 'dry-run'] as const;

/**
 * communication-added: the summary was added to an existing case (AWS's, or one this responder
 * opened); already-answered: the case already carries this incident's summary (a retried step, a
 * duplicate event), nothing was added; case-created: no case existed, one was opened;
 * unavailable: the support plan has no Support API, a human must tell AWS (`manualSteps`);
 * dry-run: nothing was written, `wouldDo` says what would have been.
 */
export const SupportResultSchema = z.object({
  status: z.enum(SUPPORT_STATUSES),
  /** The case answered, opened, found already answered, or that would be answered (dry run). */
  caseId: z.optional(z.string()),
  /** The case number the Support Center console shows, when the API said it. */
  displayId: z.optional(z.string()),
  reason: z.optional(z.string()),
  manualSteps: z.optional(z.array(z.string())),
  wouldDo: z.optional(z.string()),
  notes: z.optional(z.array(z.string())),
});
export type SupportResult = z.infer<typeof SupportResultSchema>;

// The Slack step's output contract, light on purpose (zod/mini only): the workflow state schema
// (lambdas/shared/state.ts) composes it.
import * as z from 'zod/mini';

/** What the step returns. `failed` never fails the workflow: the record and the email name it. */
export const SlackResultSchema = z.object({
  status: z.enum(['sent', 'failed', 'not-configured']),
  /** A short reason, never the webhook URL. */
  error: z.optional(z.string()),
});
export type SlackResult = z.infer<typeof SlackResultSchema>;

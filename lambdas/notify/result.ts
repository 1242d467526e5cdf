// The notify step's output contract, light on purpose (zod/mini only): the workflow state schema
// (lambdas/shared/state.ts) composes it.
import * as z from 'zod/mini';

/** What the step returns once the email is published (its subject and body are not read back). */
export const NotificationResultSchema = z.object({
  channel: z.literal('email'),
  messageId: z.optional(z.string()),
});
export type NotificationResult = z.infer<typeof NotificationResultSchema>;

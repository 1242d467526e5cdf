// zod/mini, as every step schema (lambdas/shared/steps.ts).
import * as z from 'zod/mini';
import { WorkflowStateSchema } from '../shared/steps';

/**
 * The workflow state the Slack step receives. The incident is validated strictly (it is the one
 * thing the message cannot do without); everything else is what other steps returned, possibly
 * `{ failed }`, and is read defensively by the message builder: a result of an unexpected shape
 * makes the message poorer, never the step fail.
 */
export const SlackInputSchema = WorkflowStateSchema;
export type SlackInput = z.infer<typeof SlackInputSchema>;

/** What the step returns. `failed` never fails the workflow: the email still goes out and names it. */
export interface SlackResult {
  readonly status: 'sent' | 'failed' | 'not-configured';
  /** A short reason, never the webhook URL. */
  readonly error?: string;
}

/** One HTTP POST of a JSON body; the drill and the tests inject their own. */
export type PostFn = (url: string, body: string) => Promise<{ status: number; text: string }>;

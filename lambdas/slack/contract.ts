// zod/mini, as every step schema (lambdas/shared/steps.ts).
import * as z from 'zod/mini';
import { IncidentSchema } from '../shared/incident';

/**
 * The workflow state the Slack step receives. The incident is validated strictly (it is the one
 * thing the message cannot do without); everything else is what other steps returned, possibly
 * `{ failed }`, and is read defensively by the message builder: a result of an unexpected shape
 * makes the message poorer, never the step fail.
 */
export const SlackInputSchema = z.object({
  incident: IncidentSchema,
  /** The Step Functions execution, for "where to look". */
  executionId: z.optional(z.string()),
  /** Containment results (StepResult or `{ failed }`): unreadable elements are counted, not shown. */
  containment: z.optional(z.unknown()),
  verification: z.optional(z.unknown()),
  investigation: z.optional(z.unknown()),
  evidence: z.optional(z.unknown()),
  report: z.optional(z.unknown()),
  /** The support step's result: `{ status, caseId?, displayId?, reason? }` or `{ failed }`. */
  support: z.optional(z.unknown()),
  /** Set by the workflow's failure path: the step that failed the response (tag FAILED). */
  failure: z.optional(z.unknown()),
});
export type SlackInput = z.infer<typeof SlackInputSchema>;

/** What the step returns. `failed` never fails the workflow: the email still goes out and names it. */
export interface SlackResult {
  readonly status: 'sent' | 'failed' | 'not-configured';
  /** A short reason, never the webhook URL. */
  readonly error?: string;
}

/** One HTTP POST of a JSON body; the drill and the tests inject their own. */
export type PostFn = (url: string, body: string) => Promise<{ status: number; text: string }>;

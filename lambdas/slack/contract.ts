// zod/mini, as every step schema (lambdas/shared/steps.ts).
import * as z from 'zod/mini';
import { WorkflowStateSchema } from '../shared/state';
import { SlackResult, SlackResultSchema } from './result';

export { SlackResultSchema };
export type { SlackResult };

/**
 * The workflow state the Slack step receives: the one workflow state schema. The message is a
 * rendering of the incident record built from it (lambdas/report/record.ts).
 */
export const SlackInputSchema = WorkflowStateSchema;
export type SlackInput = z.infer<typeof SlackInputSchema>;

/**
 * One HTTP POST of a JSON body; the drill and the tests inject their own. `retryAfter` is the
 * answer's Retry-After header (Slack sends it with a 429), when there is one.
 */
export type PostFn = (url: string, body: string) => Promise<{ status: number; text: string; retryAfter?: string }>;

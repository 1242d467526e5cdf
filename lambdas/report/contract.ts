// The report step's output contract, light on purpose (zod/mini only): the workflow state schema
// composes it, and the workflow's last Choice reads `complete`.
import * as z from 'zod/mini';

export const OUTCOMES = ['contained', 'contained-with-gaps', 'escalated', 'dry-run', 'failed'] as const;
/**
 * contained: containment done and nothing failed; contained-with-gaps: contained, but something
 * else (investigation, evidence, a later step) failed; escalated: root or protected user, nothing
 * was changed, a human must act; dry-run: nothing was changed on purpose; failed: containment
 * failed or could not be verified: the key may still work.
 */
export type Outcome = (typeof OUTCOMES)[number];

/** What the step returns: small, the record itself is in the bucket. */
export const ReportOutputSchema = z.object({
  bucket: z.string(),
  jsonKey: z.string(),
  markdownKey: z.string(),
  consoleUrl: z.string(),
  outcome: z.enum(OUTCOMES),
  /** How many things failed, from every step. */
  failures: z.number(),
  /** The record's decision: containment in place and no step failed as a whole; the workflow may succeed. */
  complete: z.boolean(),
  /** When this write of the record was built (its `generatedAt`): the first one is the time-to-record metric's end. */
  writtenAt: z.optional(z.string()),
});
export type ReportOutput = z.infer<typeof ReportOutputSchema>;

// The one workflow state schema: each slot is its step's output or the one failure shape
// `{ failed: { step, error } }`. Every step after containment parses the state once, here.
import * as z from 'zod/mini';
import { EvidenceResultSchema } from '../evidence/contract';
import { AfterContainmentSchema, FootholdContainmentSchema, FootholdsSchema } from '../footholds/contract';
import { InvestigationSchema } from '../investigate/contract';
import { ReportOutputSchema } from '../report/contract';
import { NotificationResultSchema } from '../notify/result';
import { SlackResultSchema } from '../slack/result';
import { SupportResultSchema } from '../support/contract';
import { InvalidIncidentError } from './errors';
import { IncidentSchema } from './incident';
import { StepFailure, StepFailureSchema, StepResultSchema, VerificationSchema } from './steps';


/** A slot: the step's output, or the failure its Catch recorded. */
function slot<T extends z.ZodMiniType>(output: T) {
  return z.optional(z.union([StepFailureSchema, output]));
}

/** One containment branch: its result, or its failure (caught in the branch, so the others finish). */
export const BranchResultSchema = z.union([StepFailureSchema, StepResultSchema]);
export type BranchResult = z.infer<typeof BranchResultSchema>;

/** What the workflow keeps of the second look's investigation (its ResultSelector). */
export const SecondLookResultSchema = z.object({
  afterContainment: AfterContainmentSchema,
  /** Only footholds the first pass did not find. */
  footholds: FootholdsSchema,
  lookback: z.object({ from: z.string(), to: z.string(), days: z.number() }),
  /** What the second look could not do (a region not searched...): where "held" is not known. */
  failures: z.array(z.object({ what: z.string(), error: z.string() })),
});
export type SecondLookResult = z.infer<typeof SecondLookResultSchema>;

/** Each step's output, by its slot in the state. */
const OUTPUTS = {
  /** The three branches' results. */
  containment: z.array(BranchResultSchema),
  verification: VerificationSchema,
  investigation: InvestigationSchema,
  evidence: EvidenceResultSchema,
  /** What the footholds step did about each foothold the investigation found. */
  footholds: FootholdContainmentSchema,
  /** The second look at CloudTrail (InvestigateAgain), after secondLookMinutes. */
  secondLook: SecondLookResultSchema,
  /** What the footholds step did about the footholds only the second look found. */
  secondFootholds: FootholdContainmentSchema,
  support: SupportResultSchema,
  slack: SlackResultSchema,
  report: ReportOutputSchema,
  /** The email (NotifyResult): read only for its failure, which the last record names. */
  notification: NotificationResultSchema,
};
type SlotName = keyof typeof OUTPUTS;

const SLOTS = {
  containment: slot(OUTPUTS.containment),
  verification: slot(OUTPUTS.verification),
  investigation: slot(OUTPUTS.investigation),
  evidence: slot(OUTPUTS.evidence),
  footholds: slot(OUTPUTS.footholds),
  secondLook: slot(OUTPUTS.secondLook),
  secondFootholds: slot(OUTPUTS.secondFootholds),
  support: slot(OUTPUTS.support),
  slack: slot(OUTPUTS.slack),
  report: slot(OUTPUTS.report),
  notification: slot(OUTPUTS.notification),
};

export const WorkflowStateSchema = z.object({
  incident: IncidentSchema,
  /** The Step Functions execution, for "where to look". */
  executionId: z.optional(z.string()),
  ...SLOTS,
});
export type WorkflowState = z.infer<typeof WorkflowStateSchema>;

export function isFailure(value: unknown): value is StepFailure {
  return typeof value === 'object' && value !== null && 'failed' in value;
}

/**
 * The workflow state, parsed once. The incident must fit (nothing can be said without it): else
 * {@link InvalidIncidentError}. A step's output that does not fit its schema (a version mismatch)
 * becomes that step's failure, named in the record: a message is never lost to one odd field.
 */
export function parseWorkflowState(input: unknown, step: string): WorkflowState {
  const raw = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const head = z.object({ incident: IncidentSchema, executionId: z.optional(z.string()) }).safeParse(raw);
  if (!head.success) {
    const issues = head.error.issues.map((i) => `${i.path.join('.') || '(input)'}: ${i.message}`).join('; ');
    throw new InvalidIncidentError(`${step}: input does not fit: ${issues}`);
  }
  const state: Record<string, unknown> = { ...head.data };
  for (const name of Object.keys(OUTPUTS) as SlotName[]) {
    const value = raw[name];
    if (value === undefined) continue;
    // One schema at a time, so that what does not fit is named (a union only says "invalid input").
    const parsed = isFailure(value) ? StepFailureSchema.safeParse(value) : OUTPUTS[name].safeParse(value);
    state[name] = parsed.success
      ? parsed.data
      : {
          failed: {
            step: name,
            error: {
              Error: 'UnreadableStepOutput',
              Cause: parsed.error.issues.map((i) => `${i.path.join('.') || name}: ${i.message}`).slice(0, 5).join('; '),
            },
          },
        };
  }
  return state as WorkflowState;
}

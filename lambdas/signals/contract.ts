// The signals step's contract, light on purpose (zod/mini only): what the workflow gives it and
// what it returns for the states that publish (the completion event, later the Security Hub finding).
import * as z from 'zod/mini';

/** The `source` of every event the responder itself puts on an event bus. */
export const RESPONDER_EVENT_SOURCE = 'exposed-key-responder';
/**
 * The completion event's detail-type. Never `Exposed Access Key Reported` (contract C7: the
 * manual report rule on the report bus): the responder must not hear its own voice.
 */
export const COMPLETION_DETAIL_TYPE = 'Exposed Key Response Completed';
/** The completion event goes to the account's default bus, where SIEMs and ticketing rules listen. */
export const COMPLETION_EVENT_BUS = 'default';

/**
 * `start`: after the verification (the incident is underway); `completion`: once per execution,
 * at its end, from the last record.
 */
export const SignalsPhaseSchema = z.enum(['start', 'completion']);
export type SignalsPhase = z.infer<typeof SignalsPhaseSchema>;

/** The Task's Parameters: `{ "phase": "...", "state.$": "$" }`. */
export const SignalsInputSchema = z.object({ phase: SignalsPhaseSchema, state: z.unknown() });

/**
 * What the signals step reads from the state besides the workflow state schema's slots: when the
 * record was first written (the RecordWrittenAt state, after WriteReport: `$$.State.EnteredTime`).
 */
export const SignalsStateSchema = z.object({ recordWrittenAt: z.optional(z.object({ at: z.string() })) });

/** One PutEvents entry as the Step Functions EventBridge integration takes it (Detail as JSON). */
export interface PutEventsEntry {
  readonly Source: typeof RESPONDER_EVENT_SOURCE;
  readonly DetailType: typeof COMPLETION_DETAIL_TYPE;
  readonly EventBusName: typeof COMPLETION_EVENT_BUS;
  readonly Detail: CompletionDetail;
}

/** Where the incident record is, or why it is not there. */
export type RecordLocation =
  | { readonly written: true; readonly bucket: string; readonly jsonKey: string; readonly markdownKey: string; readonly consoleUrl: string }
  | { readonly written: false; readonly error: string };

/** The completion event's `detail`: a rendering of the incident record, nothing decided here. */
export interface CompletionDetail {
  readonly incidentId: string;
  readonly executionId?: string;
  /** The record's outcome: contained, contained-with-gaps, escalated, dry-run, failed. */
  readonly outcome: string;
  /** The record's decision: containment in place and no step failed as a whole. */
  readonly complete: boolean;
  readonly headline: string;
  readonly accessKeyId: string;
  readonly userName: string;
  readonly accountId: string;
  /** Where the exposure was reported (health, trusted-advisor, quarantine-policy, manual, guardduty...). */
  readonly reportedBy: string;
  readonly detectedAt: string;
  /** What is still open, most urgent first, each with its command (at most {@link MAX_OPEN_ITEMS}). */
  readonly stillOpen: ReadonlyArray<{ readonly what: string; readonly command?: string }>;
  /** How many open items the record has (the event lists the first ones). */
  readonly stillOpenCount: number;
  /** Whether the second look found containment held; absent when it did not run. */
  readonly secondLookHeld?: boolean;
  readonly record: RecordLocation;
  /** When the record this event renders was built. */
  readonly generatedAt: string;
}

/** Open items carried in the event (EventBridge events hold 256 KB; the record has them all). */
export const MAX_OPEN_ITEMS = 25;

/** What the completion phase returns: the entries the PublishCompletion state puts, and the updated Security Hub finding (when configured). */
export interface CompletionOutput {
  readonly entries: [PutEventsEntry];
  readonly outcome: string;
  /** ASFF: the EndFinding state imports it; absent without securityHub. */
  readonly finding?: Record<string, unknown>;
}

/** What the start phase returns: the Security Hub finding when configured (the StartFinding state imports it). */
export interface StartOutput {
  readonly incidentId: string;
  readonly finding?: Record<string, unknown>;
}

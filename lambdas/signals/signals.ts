// What the workflow says about itself to the outside: the metrics (EMF lines, no API call) and the
// completion event (put on the default bus by the workflow's PublishCompletion state, from what
// this returns). A pure step: no AWS client; the record is rebuilt from the state with the same
// buildReport the report step wrote.
import { buildReport } from '../report/record';
import { Log } from '../shared/logger';
import { isFailure, WorkflowState } from '../shared/state';
import { completionEntry } from './completion-event';
import { CompletionOutput, StartOutput } from './contract';
import { completionMetrics, emfDocument, MetricsSink, startMetrics } from './metrics';
import { completionFinding, startFinding } from './security-hub';

export interface SignalsConfig {
  /** Render the incident's Security Hub finding (context securityHub). */
  readonly securityHub: boolean;
}

export interface SignalsDeps {
  readonly logger: Log;
  /** Where the metrics go (stdout in Lambda). */
  readonly emit: MetricsSink;
  readonly config: SignalsConfig;
  readonly now?: () => Date;
}

/** What the workflow state holds for this step beyond the schema's slots. */
export interface SignalsExtras {
  /** When the record was first written (the RecordWrittenAt state). */
  readonly recordWrittenAt?: string;
}

/**
 * The response is under way (after its verification): one incident started, and its time to
 * contain when the key was read back Inactive. Called once per execution: AnnounceStart is on the
 * one path from the verification to the investigation.
 */
export function announceStart(state: WorkflowState, deps: SignalsDeps): StartOutput {
  const now = (deps.now ?? (() => new Date()))();
  const verification = state.verification && !isFailure(state.verification) ? state.verification : undefined;
  const metrics = startMetrics(state.incident, verification);
  deps.emit(emfDocument(metrics, state.incident.incidentId, now));
  deps.logger.info('response under way', { metrics: metrics.map((m) => m.name), securityHub: deps.config.securityHub });
  return {
    incidentId: state.incident.incidentId,
    ...(deps.config.securityHub ? { finding: startFinding(state.incident, state.executionId, verification, now) } : {}),
  };
}

/**
 * The execution is ending: its metrics (outcome, time to record, footholds contained) and the
 * completion event, rendered from the record as the last report step left it (the second look's,
 * when one ran). Called once per execution: the workflow's AnnounceCompletion state is on every
 * path to its end, and on no other.
 */
export function announceCompletion(state: WorkflowState, extras: SignalsExtras, deps: SignalsDeps): CompletionOutput {
  const now = (deps.now ?? (() => new Date()))();
  const report = buildReport(state, now);
  const entry = completionEntry(report, state.report);
  deps.emit(emfDocument(completionMetrics(report, extras.recordWrittenAt), report.incidentId, now));
  deps.logger.info('completion event rendered', { outcome: report.outcome, stillOpen: report.stillOpen.length });
  return {
    entries: [entry],
    outcome: report.outcome,
    ...(deps.config.securityHub ? { finding: completionFinding(report, entry.Detail.record) } : {}),
  };
}

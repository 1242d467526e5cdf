// What the workflow says about itself to the outside: the completion event (put on the default
// bus by the workflow's PublishCompletion state, from what this returns). A pure step: no AWS
// client; the record is rebuilt from the state with the same buildReport the report step wrote.
import { buildReport } from '../report/record';
import { Log } from '../shared/logger';
import { WorkflowState } from '../shared/state';
import { completionEntry } from './completion-event';
import { CompletionOutput, StartOutput } from './contract';

export interface SignalsDeps {
  readonly logger: Log;
  readonly now?: () => Date;
}

/** The incident is underway (after its verification). */
export function announceStart(state: WorkflowState, deps: SignalsDeps): StartOutput {
  deps.logger.info('response underway');
  return { incidentId: state.incident.incidentId };
}

/**
 * The execution is ending: the completion event, rendered from the record as the last report
 * step left it (the second look's, when one ran). Called once per execution: the workflow's
 * AnnounceCompletion state is on every path to its end, and on no other.
 */
export function announceCompletion(state: WorkflowState, deps: SignalsDeps): CompletionOutput {
  const report = buildReport(state, (deps.now ?? (() => new Date()))());
  const entry = completionEntry(report, state.report);
  deps.logger.info('completion event rendered', { outcome: report.outcome, stillOpen: report.stillOpen.length });
  return { entries: [entry], outcome: report.outcome };
}

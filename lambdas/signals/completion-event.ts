// The completion event: a pure rendering of the incident record (lambdas/report/record.ts), like
// the email. Nothing here decides: the outcome, what is still open and where the record is are
// the record's and the report step's.
import { explainError, IncidentReport } from '../report/record';
import type { ReportOutput } from '../report/contract';
import type { StepFailure } from '../shared/steps';
import {
  COMPLETION_DETAIL_TYPE,
  COMPLETION_EVENT_BUS,
  CompletionDetail,
  MAX_OPEN_ITEMS,
  PutEventsEntry,
  RecordLocation,
  RESPONDER_EVENT_SOURCE,
} from './contract';

/** Where the last write of the record put it (the state's `report` slot), or why it is not there. */
export function recordLocation(written: ReportOutput | StepFailure | undefined): RecordLocation {
  if (written === undefined) return { written: false, error: 'the record was not written (the report step did not run)' };
  if ('failed' in written) return { written: false, error: `${written.failed.step}: ${explainError(written.failed.error)}` };
  const { bucket, jsonKey, markdownKey, consoleUrl } = written;
  return { written: true, bucket, jsonKey, markdownKey, consoleUrl };
}

/** The event's detail, from the record and where it was written. */
export function completionDetail(report: IncidentReport, written: ReportOutput | StepFailure | undefined): CompletionDetail {
  const i = report.incident;
  return {
    incidentId: report.incidentId,
    ...(report.executionId ? { executionId: report.executionId } : {}),
    outcome: report.outcome,
    complete: report.complete,
    headline: report.headline,
    accessKeyId: i.accessKeyId,
    userName: i.userName,
    accountId: i.accountId,
    reportedBy: i.source,
    detectedAt: i.detectedAt,
    stillOpen: report.stillOpen.slice(0, MAX_OPEN_ITEMS).map((o) => ({ what: o.what, ...(o.command ? { command: o.command } : {}) })),
    stillOpenCount: report.stillOpen.length,
    ...(report.secondLook ? { secondLookHeld: report.secondLook.held } : {}),
    record: recordLocation(written),
    generatedAt: report.generatedAt,
  };
}

/** The one PutEvents entry: default bus, the responder's source, the completion detail-type. */
export function completionEntry(report: IncidentReport, written: ReportOutput | StepFailure | undefined): PutEventsEntry {
  return {
    Source: RESPONDER_EVENT_SOURCE,
    DetailType: COMPLETION_DETAIL_TYPE,
    EventBusName: COMPLETION_EVENT_BUS,
    Detail: completionDetail(report, written),
  };
}

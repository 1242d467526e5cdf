// The responder's metrics, in CloudWatch's embedded metric format (EMF): one JSON line on stdout,
// which CloudWatch Logs turns into metrics (no API call, no client). Powertools Metrics builds the
// document (namespace, a `service` dimension, the values as top-level keys); the sink decides
// where it goes, so the drill and the tests read the same document Lambda prints.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { IncidentReport, Outcome } from '../report/record';
import type { Incident } from '../shared/incident';
import type { Verification } from '../shared/steps';

/** The CloudWatch namespace of every metric of the responder. */
export const METRICS_NAMESPACE = 'ExposedKeyResponder';
/** The one dimension (Powertools' default): the responder, whatever the stack is called. */
export const METRICS_SERVICE = 'exposed-key-responder';

/** The metrics, by name; the dashboard and the alarm read the same names (lib/response-metrics.ts). */
export const METRIC = {
  started: 'IncidentsStarted',
  contained: 'IncidentsContained',
  containedWithGaps: 'IncidentsContainedWithGaps',
  escalated: 'IncidentsEscalated',
  failed: 'IncidentsFailed',
  dryRun: 'IncidentsDryRun',
  /** From the exposure's report (the event's time) to the key verified Inactive, in seconds. */
  timeToContain: 'TimeToContain',
  /** From the exposure's report to the incident record first written, in seconds. */
  timeToRecord: 'TimeToRecord',
  /** Footholds (keys, users, sessions... the key created or assumed) the footholds steps contained. */
  footholdsContained: 'FootholdsContained',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The counter of each outcome of the record. */
export const OUTCOME_METRIC: Readonly<Record<Outcome, MetricName>> = {
  contained: METRIC.contained,
  'contained-with-gaps': METRIC.containedWithGaps,
  escalated: METRIC.escalated,
  failed: METRIC.failed,
  'dry-run': METRIC.dryRun,
};

export interface MetricValue {
  readonly name: MetricName;
  readonly unit: 'Count' | 'Seconds';
  readonly value: number;
}

/** One EMF document: what CloudWatch Logs reads from a log line. */
export interface EmfDocument {
  readonly _aws: {
    readonly Timestamp: number;
    readonly CloudWatchMetrics: ReadonlyArray<{
      readonly Namespace: string;
      readonly Dimensions: ReadonlyArray<readonly string[]>;
      readonly Metrics: ReadonlyArray<{ readonly Name: string; readonly Unit: string }>;
    }>;
  };
  readonly service: string;
  /** Not a dimension: lets Logs Insights find the incident behind a data point. */
  readonly incidentId: string;
  readonly [metric: string]: unknown;
}

/** Where the documents go: stdout in Lambda, a list in the drill and the tests. */
export type MetricsSink = (doc: EmfDocument) => void;

/** Seconds from `from` to `to` (ISO 8601), or undefined when either is unreadable or the span is negative. */
function secondsBetween(from: string, to: string | undefined): number | undefined {
  if (to === undefined) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms) / 1000 : undefined;
}

/**
 * When the response is under way (after its verification): one more incident started, and its
 * time to contain when the verification read the key back Inactive (nothing else is "contained":
 * a dry run, an escalation, a failed or skipped verification gives no time to contain).
 */
export function startMetrics(incident: Incident, verification: Verification | undefined): MetricValue[] {
  const contained = verification?.status === 'verified' && verification.keyStatus === 'Inactive';
  const timeToContain = contained ? secondsBetween(incident.detectedAt, verification.checkedAt) : undefined;
  return [
    { name: METRIC.started, unit: 'Count', value: 1 },
    ...(timeToContain !== undefined ? [{ name: METRIC.timeToContain, unit: 'Seconds' as const, value: timeToContain }] : []),
  ];
}

/**
 * When the execution ends: the record's outcome (one counter), the time to the first written
 * record (when it was written), and how many footholds were contained.
 */
export function completionMetrics(report: IncidentReport, recordFirstWrittenAt: string | undefined): MetricValue[] {
  const timeToRecord = secondsBetween(report.incident.detectedAt, recordFirstWrittenAt);
  return [
    { name: OUTCOME_METRIC[report.outcome], unit: 'Count', value: 1 },
    ...(timeToRecord !== undefined ? [{ name: METRIC.timeToRecord, unit: 'Seconds' as const, value: timeToRecord }] : []),
    { name: METRIC.footholdsContained, unit: 'Count', value: report.footholds?.summary.containedCount ?? 0 },
  ];
}

/** The EMF document of `metrics`, stamped `at`, as Powertools Metrics serializes it. */
export function emfDocument(metrics: readonly MetricValue[], incidentId: string, at: Date): EmfDocument {
  const emf = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  for (const m of metrics) emf.addMetric(m.name, MetricUnit[m.unit], m.value);
  emf.addMetadata('incidentId', incidentId);
  emf.setTimestamp(at);
  return emf.serializeMetrics() as unknown as EmfDocument;
}

/** Lambda's sink: one line on stdout, where CloudWatch Logs extracts the metrics. */
export const stdoutSink: MetricsSink = (doc) => {
  process.stdout.write(`${JSON.stringify(doc)}\n`);
};

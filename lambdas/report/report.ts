import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { rethrowAws } from '../shared/errors';
import { Log } from '../shared/logger';
import { renderMarkdown } from './markdown';
import { WorkflowState } from '../shared/state';
import { ReportOutput } from './contract';
import { buildReport, consoleUrlFor, reportKeys } from './record';

export * from './record';
export type { ReportOutput };

export interface ReportConfig {
  /** The incident bucket. */
  readonly bucket: string;
}

export interface ReportDeps {
  readonly s3: S3Client;
  readonly logger: Log;
  readonly config: ReportConfig;
  readonly now?: () => Date;
}

/**
 * Writes `report.json` and `report.md` (the record, built from the parsed workflow state) to `incidents/<incidentId>/` in the incident bucket. The keys
 * are fixed, so a retried step overwrites the same two objects. Throttling and 5xx become
 * {@link TransientAwsError} (the workflow retries); anything else (AccessDenied, NoSuchBucket) is
 * rethrown as it is.
 */
export async function writeReport(state: WorkflowState, deps: ReportDeps): Promise<ReportOutput> {
  // The record is written after the support and Slack steps; an earlier write of it (or its
  // failure) is this step's own slot, about to be replaced: not part of what it records.
  const report = buildReport({ ...state, report: undefined }, (deps.now ?? (() => new Date()))());
  const { jsonKey, markdownKey } = reportKeys(report.incidentId);
  const bucket = deps.config.bucket;
  const objects = [
    { key: jsonKey, body: `${JSON.stringify(report, null, 2)}\n`, contentType: 'application/json' },
    { key: markdownKey, body: renderMarkdown(report), contentType: 'text/markdown' },
  ];
  for (const { key, body, contentType } of objects) {
    try {
      await deps.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    } catch (err) {
      rethrowAws(err, `S3 PutObject s3://${bucket}/${key}`);
    }
  }
  deps.logger.info('incident report written', { bucket, jsonKey, markdownKey, outcome: report.outcome, failures: report.failures.length });
  return {
    bucket,
    jsonKey,
    markdownKey,
    consoleUrl: consoleUrlFor(bucket, markdownKey),
    outcome: report.outcome,
    failures: report.failures.length,
    complete: report.complete,
    writtenAt: report.generatedAt,
  };
}

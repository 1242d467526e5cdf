import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { rethrowAws } from '../shared/errors';
import { Log } from '../shared/logger';
import { renderMarkdown } from './markdown';
import { buildReport, consoleUrlFor, Outcome, ReportInput, reportKeys } from './record';

export * from './record';

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

/** What the step returns: small, the report itself is in the bucket. */
export interface ReportOutput {
  readonly bucket: string;
  readonly jsonKey: string;
  readonly markdownKey: string;
  readonly consoleUrl: string;
  readonly outcome: Outcome;
  readonly failures: number;
}

/**
 * Writes `report.json` and `report.md` to `incidents/<incidentId>/` in the incident bucket. The keys
 * are fixed, so a retried step overwrites the same two objects. Throttling and 5xx become
 * {@link TransientAwsError} (the workflow retries); anything else (AccessDenied, NoSuchBucket) is
 * rethrown as it is.
 */
export async function writeReport(input: ReportInput, deps: ReportDeps): Promise<ReportOutput> {
  const report = buildReport(input, (deps.now ?? (() => new Date()))());
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
  };
}

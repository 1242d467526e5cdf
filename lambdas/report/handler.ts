import { S3Client } from '@aws-sdk/client-s3';
import { requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseStepInput } from '../shared/steps';
import { ReportInputSchema, ReportOutput, writeReport } from './report';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<ReportOutput> {
  const config = { bucket: requireEnv('INCIDENT_BUCKET', env) };
  const logger = createLogger('report');
  const s3 = new S3Client({});
  return async (event) => {
    const input = parseStepInput(ReportInputSchema, event, 'report');
    return writeReport(input, { s3, config, logger: forIncident(logger, input.incident.incidentId) });
  };
}

import { S3Client } from '@aws-sdk/client-s3';
import { NO_SDK_RETRIES } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseWorkflowState } from '../shared/state';
import { ReportOutput, writeReport } from './report';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<ReportOutput> {
  const config = { bucket: requireEnv('INCIDENT_BUCKET', env) };
  const logger = createLogger('report');
  const s3 = new S3Client(NO_SDK_RETRIES);
  return async (event) => {
    const state = parseWorkflowState(event, 'report');
    return writeReport(state, { s3, config, logger: forIncident(logger, state.incident.incidentId) });
  };
}

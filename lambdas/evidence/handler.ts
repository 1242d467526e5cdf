import { EC2Client } from '@aws-sdk/client-ec2';
import { HandlerOptions, NO_SDK_RETRIES, perRegion } from '../shared/clients';
import { boolEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseStepInput } from '../shared/steps';
import { EvidenceInputSchema, EvidenceResult, preserveEvidence } from './evidence';

/** Reads the configuration once; one EC2 client a region, built on first use and kept. */
export function createHandler(
  env: NodeJS.ProcessEnv = process.env,
  options: HandlerOptions = {},
): (event: unknown) => Promise<EvidenceResult> {
  const config = { dryRun: boolEnv('DRY_RUN', env) };
  const logger = createLogger('evidence');
  const ec2 = perRegion((region) => new EC2Client({ region, ...NO_SDK_RETRIES }));
  return async (event) => {
    const input = parseStepInput(EvidenceInputSchema, event, 'evidence');
    return preserveEvidence(input.incident, input.instances, {
      ec2,
      config,
      logger: forIncident(logger, input.incident.incidentId),
      sleep: options.sleep,
    });
  };
}

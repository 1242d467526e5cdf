import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { HandlerOptions, NO_SDK_RETRIES, perRegion } from '../shared/clients';
import { boolEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseStepInput } from '../shared/steps';
import { EvidenceInputSchema, EvidenceResult, preserveEvidence } from './evidence';
import { PRICING_REGION } from './pricing';

/** Reads the configuration once; one EC2 client a region, built on first use and kept; one Price List client. */
export function createHandler(
  env: NodeJS.ProcessEnv = process.env,
  options: HandlerOptions = {},
): (event: unknown) => Promise<EvidenceResult> {
  const config = { dryRun: boolEnv('DRY_RUN', env) };
  const logger = createLogger('evidence');
  const ec2 = perRegion((region) => new EC2Client({ region, ...NO_SDK_RETRIES }));
  // Two attempts: a price is a nice-to-have, bounded by the pricing phase's own time budget.
  const pricing = new PricingClient({ region: PRICING_REGION, maxAttempts: 2 });
  return async (event) => {
    const input = parseStepInput(EvidenceInputSchema, event, 'evidence');
    return preserveEvidence(input.incident, input.instances, {
      ec2,
      pricing,
      config,
      logger: forIncident(logger, input.incident.incidentId),
      sleep: options.sleep,
    });
  };
}

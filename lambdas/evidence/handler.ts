import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { accountClients, organizationAccessFromEnv, sessionNameFor, withCredentials } from '../shared/accounts';
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
  // The incident's account (EC2; the public price list is read with the Lambda's own credentials).
  const ec2Of = accountClients(
    (credentials) => perRegion((region) => new EC2Client(withCredentials({ region, ...NO_SDK_RETRIES }, credentials))),
    organizationAccessFromEnv(env),
  );
  // Two attempts: a price is a nice-to-have, bounded by the pricing phase's own time budget.
  const pricing = new PricingClient({ region: PRICING_REGION, maxAttempts: 2 });
  return async (event) => {
    const input = parseStepInput(EvidenceInputSchema, event, 'evidence');
    const account = await ec2Of(input.incident.accountId, sessionNameFor(input.incident.incidentId));
    return preserveEvidence(input.incident, input.instances, {
      ec2: account.clients,
      pricing,
      config,
      logger: forIncident(logger, input.incident.incidentId),
      sleep: options.sleep,
    });
  };
}

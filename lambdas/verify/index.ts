import { IAMClient } from '@aws-sdk/client-iam';
import { boolEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseStepInput, Verification, VerifyInputSchema } from '../shared/steps';
import { verify } from './verify';

const config = {
  dryRun: boolEnv('DRY_RUN'),
  quarantinePolicyArn: requireEnv('QUARANTINE_POLICY_ARN'),
};
const logger = createLogger('verify');
const iam = new IAMClient({});

/** Workflow step: reads the account back after containment. */
export async function handler(event: unknown): Promise<Verification> {
  const input = parseStepInput(VerifyInputSchema, event, 'verify');
  return verify(input.incident, input.revokeBefore, { iam, config, logger: forIncident(logger, input.incident.incidentId) });
}

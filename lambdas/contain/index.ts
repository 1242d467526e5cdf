import { IAMClient } from '@aws-sdk/client-iam';
import { boolEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { ContainInputSchema, parseStepInput, StepResult } from '../shared/steps';
import { contain } from './contain';

const config = {
  dryRun: boolEnv('DRY_RUN'),
  quarantinePolicyArn: requireEnv('QUARANTINE_POLICY_ARN'),
};
const logger = createLogger('contain');
const iam = new IAMClient({});

/** Workflow step: one containment action on the exposed key's user. */
export async function handler(event: unknown): Promise<StepResult> {
  const input = parseStepInput(ContainInputSchema, event, 'contain');
  return contain(input.incident, input.action, input.revokeBefore, {
    iam,
    config,
    logger: forIncident(logger, input.incident.incidentId),
  });
}

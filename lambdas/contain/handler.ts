import { IAMClient } from '@aws-sdk/client-iam';
import { boolEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { ContainInputSchema, parseStepInput, StepResult } from '../shared/steps';
import { contain } from './contain';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<StepResult> {
  const config = {
    dryRun: boolEnv('DRY_RUN', env),
    quarantinePolicyArn: requireEnv('QUARANTINE_POLICY_ARN', env),
  };
  const logger = createLogger('contain');
  const iam = new IAMClient({});
  return async (event) => {
    const input = parseStepInput(ContainInputSchema, event, 'contain');
    return contain(input.incident, input.action, input.revokeBefore, {
      iam,
      config,
      logger: forIncident(logger, input.incident.incidentId),
    });
  };
}

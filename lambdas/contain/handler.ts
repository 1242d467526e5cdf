import { boolEnv, listEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseProtectedPrincipals } from '../shared/protection';
import { ContainInputSchema, parseStepInput, StepResult } from '../shared/steps';
import { contain } from './contain';
import { containmentIamClient } from './iam-client';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<StepResult> {
  const config = {
    dryRun: boolEnv('DRY_RUN', env),
    quarantinePolicyArn: requireEnv('QUARANTINE_POLICY_ARN', env),
    // Required (empty is allowed: nobody protected); an unusable entry fails the cold start.
    protectedPrincipals: parseProtectedPrincipals(listEnv('PROTECTED_USERS', env)),
  };
  const logger = createLogger('contain');
  const iam = containmentIamClient();
  return async (event) => {
    const input = parseStepInput(ContainInputSchema, event, 'contain');
    return contain(input.incident, input.action, input.revokeBefore, {
      iam,
      config,
      logger: forIncident(logger, input.incident.incidentId),
    });
  };
}

import { iamStepInAccount } from '../shared/account-step';
import { withCredentials } from '../shared/accounts';
import { NO_SDK_RETRIES } from '../shared/clients';
import { createLogger, forIncident } from '../shared/logger';
import { ContainInputSchema, parseStepInput, StepResult } from '../shared/steps';
import { contain } from './contain';
import { containmentIamClient } from './iam-client';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<StepResult> {
  // The incident's account: the Lambda's own credentials, or the member role assumed there.
  const inAccount = iamStepInAccount(env, (credentials) => containmentIamClient(withCredentials(NO_SDK_RETRIES, credentials)));
  const logger = createLogger('contain');
  return async (event) => {
    const input = parseStepInput(ContainInputSchema, event, 'contain');
    const { iam, config } = await inAccount(input.incident);
    return contain(input.incident, input.action, input.revokeBefore, { iam, config, logger: forIncident(logger, input.incident.incidentId) });
  };
}

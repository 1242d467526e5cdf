import { IAMClient } from '@aws-sdk/client-iam';
import { iamStepInAccount } from '../shared/account-step';
import { withCredentials } from '../shared/accounts';
import { NO_SDK_RETRIES } from '../shared/clients';
import { createLogger, forIncident } from '../shared/logger';
import { parseStepInput, Verification, VerifyInputSchema } from '../shared/steps';
import { verify } from './verify';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<Verification> {
  // The incident's account: the Lambda's own credentials, or the member role assumed there.
  const inAccount = iamStepInAccount(env, (credentials) => new IAMClient(withCredentials(NO_SDK_RETRIES, credentials)));
  const logger = createLogger('verify');
  return async (event) => {
    const input = parseStepInput(VerifyInputSchema, event, 'verify');
    const { iam, config } = await inAccount(input.incident);
    return verify(input.incident, { iam, config, logger: forIncident(logger, input.incident.incidentId) });
  };
}

import { accountClients, organizationAccessFromEnv, sessionNameFor, withCredentials } from '../shared/accounts';
import { NO_SDK_RETRIES } from '../shared/clients';
import { boolEnv, listEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { protectionByAccount } from '../shared/account-protection';
import { ContainInputSchema, parseStepInput, StepResult } from '../shared/steps';
import { contain } from './contain';
import { containmentIamClient } from './iam-client';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<StepResult> {
  const config = {
    dryRun: boolEnv('DRY_RUN', env),
    quarantinePolicyArn: requireEnv('QUARANTINE_POLICY_ARN', env),
  };
  // Required (empty is allowed: nobody protected); an unusable entry fails the cold start.
  // Entries `<account>:<entry>` protect in that account only (lambdas/shared/account-protection.ts).
  const protectionIn = protectionByAccount(listEnv('PROTECTED_USERS', env));
  const logger = createLogger('contain');
  // The incident's account: the Lambda's own credentials, or the member role assumed there.
  const iamOf = accountClients((credentials) => containmentIamClient(withCredentials(NO_SDK_RETRIES, credentials)), organizationAccessFromEnv(env));
  return async (event) => {
    const input = parseStepInput(ContainInputSchema, event, 'contain');
    const account = await iamOf(input.incident.accountId, sessionNameFor(input.incident.incidentId));
    return contain(input.incident, input.action, input.revokeBefore, {
      iam: account.clients,
      config: {
        ...config,
        quarantinePolicyArn: account.quarantinePolicyArn ?? config.quarantinePolicyArn,
        protectedPrincipals: protectionIn(input.incident.accountId),
      },
      logger: forIncident(logger, input.incident.incidentId),
    });
  };
}

import { IAMClient } from '@aws-sdk/client-iam';
import { NO_SDK_RETRIES } from '../shared/clients';
import { accountClients, organizationAccessFromEnv, sessionNameFor, withCredentials } from '../shared/accounts';
import { boolEnv, listEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { protectionByAccount } from '../shared/account-protection';
import { parseStepInput, Verification, VerifyInputSchema } from '../shared/steps';
import { verify } from './verify';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<Verification> {
  const config = {
    dryRun: boolEnv('DRY_RUN', env),
    quarantinePolicyArn: requireEnv('QUARANTINE_POLICY_ARN', env),
  };
  // Required (empty is allowed: nobody protected); an unusable entry fails the cold start.
  // Entries `<account>:<entry>` protect in that account only (lambdas/shared/account-protection.ts).
  const protectionIn = protectionByAccount(listEnv('PROTECTED_USERS', env));
  const logger = createLogger('verify');
  const iamOf = accountClients((credentials) => new IAMClient(withCredentials(NO_SDK_RETRIES, credentials)), organizationAccessFromEnv(env));
  return async (event) => {
    const input = parseStepInput(VerifyInputSchema, event, 'verify');
    const account = await iamOf(input.incident.accountId, sessionNameFor(input.incident.incidentId));
    return verify(input.incident, {
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

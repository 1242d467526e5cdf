import { EC2Client } from '@aws-sdk/client-ec2';
import { ec2StopInstance } from './stop-instance';
import { containmentIamClient } from '../contain/iam-client';
import { accountClients, organizationAccessFromEnv, sessionNameFor, withCredentials } from '../shared/accounts';
import { NO_SDK_RETRIES, perRegion } from '../shared/clients';
import { protectionByAccount } from '../shared/account-protection';
import { boolEnv, listEnv, requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseProtectedPrincipals, protectionCheck } from '../shared/protection';
import { parseStepInput } from '../shared/steps';
import { boundContainment } from './bound';
import { containFootholds } from './contain';
import { FootholdContainment, FootholdsInputSchema, preservedInstances } from './contract';

export { FootholdsInputSchema };

/** Reads the configuration and builds the clients once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<FootholdContainment> {
  const config = {
    dryRun: boolEnv('DRY_RUN', env),
    quarantinePolicyArn: requireEnv('QUARANTINE_POLICY_ARN', env),
    stopLaunchedInstances: boolEnv('STOP_LAUNCHED_INSTANCES', env),
  };
  // Both required (empty is allowed: nobody protected but the tagged); an unusable entry fails the cold start.
  // User entries `<account>:<entry>` protect in that account only (lambdas/shared/account-protection.ts).
  const usersProtectedIn = protectionByAccount(listEnv('PROTECTED_USERS', env), 'user');
  const protectedRoles = parseProtectedPrincipals(listEnv('PROTECTED_ROLES', env), 'role');
  const logger = createLogger('footholds');
  // A full quota is final at once (no SDK retry can free it): the action reports it with its command.
  // The incident's account: the Lambda's own credentials, or the member role assumed there.
  const clientsOf = accountClients((credentials) => ({
    iam: containmentIamClient(withCredentials(NO_SDK_RETRIES, credentials)),
    stopInstance: ec2StopInstance(perRegion((region) => new EC2Client(withCredentials({ region }, credentials)))),
  }), organizationAccessFromEnv(env));
  return async (event) => {
    const input = parseStepInput(FootholdsInputSchema, event, 'footholds');
    const account = await clientsOf(input.incident.accountId, sessionNameFor(input.incident.incidentId));
    const out = await containFootholds(input.footholds, input.incident, {
      ...account.clients,
      config: {
        ...config,
        quarantinePolicyArn: account.quarantinePolicyArn ?? config.quarantinePolicyArn,
        revokeBefore: input.revokeBefore,
        preserved: preservedInstances(input.evidence),
      },
      protection: protectionCheck(usersProtectedIn(input.incident.accountId), protectedRoles),
      logger: forIncident(logger, input.incident.incidentId),
    });
    return boundContainment(out);
  };
}

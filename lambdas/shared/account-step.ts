import { IAMClient } from '@aws-sdk/client-iam';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { protectionByAccount } from './account-protection';
import { accountClients, organizationAccessFromEnv, sessionNameFor } from './accounts';
import { boolEnv, listEnv, requireEnv } from './env';
import { Incident } from './incident';
import { ProtectionRules } from './protection';

/** What contain and verify act with in the incident's account. */
export interface IamStepScope {
  readonly iam: IAMClient;
  readonly config: {
    readonly dryRun: boolean;
    /** The quarantine policy of the incident's account (the member stack's, in a member account). */
    readonly quarantinePolicyArn: string;
    /** The protected users of the incident's account. */
    readonly protectedPrincipals: ProtectionRules;
  };
}

/**
 * The configuration of contain and verify (DRY_RUN, QUARANTINE_POLICY_ARN, PROTECTED_USERS: read
 * once, an unusable entry fails the cold start) and, for each incident, the IAM client, quarantine
 * policy and protected users of its account (lambdas/shared/accounts.ts).
 */
export function iamStepInAccount(
  env: NodeJS.ProcessEnv,
  buildIam: (credentials?: AwsCredentialIdentityProvider) => IAMClient,
): (incident: Pick<Incident, 'accountId' | 'incidentId'>) => Promise<IamStepScope> {
  const dryRun = boolEnv('DRY_RUN', env);
  const quarantinePolicyArn = requireEnv('QUARANTINE_POLICY_ARN', env);
  // Required (empty is allowed: nobody protected); entries `<account>:<entry>` protect in that account only.
  const protectionIn = protectionByAccount(listEnv('PROTECTED_USERS', env));
  const iamOf = accountClients(buildIam, organizationAccessFromEnv(env));
  return async (incident) => {
    const account = await iamOf(incident.accountId, sessionNameFor(incident.incidentId));
    return {
      iam: account.clients,
      config: { dryRun, quarantinePolicyArn: account.quarantinePolicyArn ?? quarantinePolicyArn, protectedPrincipals: protectionIn(incident.accountId) },
    };
  };
}

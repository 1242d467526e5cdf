import { STSClient } from '@aws-sdk/client-sts';
import { iamStepInAccount } from '../shared/account-step';
import { organizationAccessFromEnv, withCredentials } from '../shared/accounts';
import { NO_SDK_RETRIES } from '../shared/clients';
import { boolEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { ContainInputSchema, parseStepInput, StepResult } from '../shared/steps';
import { contain } from './contain';
import { containmentIamClient } from './iam-client';
import { containRootKey, RootKeyConfig } from './root-key';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<StepResult> {
  // The incident's account: the Lambda's own credentials, or the member role assumed there.
  const inAccount = iamStepInAccount(env, (credentials) => containmentIamClient(withCredentials(NO_SDK_RETRIES, credentials)));
  const organization = organizationAccessFromEnv(env);
  const rootConfig: RootKeyConfig = { dryRun: boolEnv('DRY_RUN', env), deleteMemberRootKeys: boolEnv('DELETE_MEMBER_ROOT_KEYS', env), organization };
  if (rootConfig.deleteMemberRootKeys && !organization) {
    throw new Error('environment variable DELETE_MEMBER_ROOT_KEYS is true without MEMBER_ROLE_NAME: deleting root keys needs organization mode (sts:AssumeRoot reaches member accounts only)');
  }
  // The Lambda's own credentials, on the regional endpoint of its region (the SDK's default; AssumeRoot refuses the global one).
  const sts = new STSClient(NO_SDK_RETRIES);
  const logger = createLogger('contain');
  return async (event) => {
    const input = parseStepInput(ContainInputSchema, event, 'contain');
    const log = forIncident(logger, input.incident.incidentId);
    if (input.incident.principalType === 'root') {
      // Changes nothing unless deleteMemberRootKeys is on and the account is a member (root-key.ts).
      return containRootKey(input.incident, input.action, {
        sts,
        iamWith: (credentials) => containmentIamClient(withCredentials(NO_SDK_RETRIES, async () => credentials)),
        logger: log,
        config: rootConfig,
      });
    }
    const { iam, config } = await inAccount(input.incident);
    return contain(input.incident, input.action, input.revokeBefore, { iam, config, logger: log });
  };
}

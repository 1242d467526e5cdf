import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { listEnv, requireEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { dispatch, DispatchResult } from './dispatch';

/** Reads the configuration and builds the clients once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<DispatchResult> {
  const config = {
    stateMachineArn: requireEnv('STATE_MACHINE_ARN', env),
    protectedUsers: listEnv('PROTECTED_USERS', env),
  };
  const logger = createLogger('dispatcher');
  const iam = new IAMClient({});
  const sfn = new SFNClient({});
  return async (event) => {
    try {
      return await dispatch(event, { iam, sfn, logger, config });
    } catch (err) {
      logger.error('event not dispatched', { error: err as Error });
      throw err;
    }
  };
}

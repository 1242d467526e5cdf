import { IAMClient } from '@aws-sdk/client-iam';
import { SFNClient } from '@aws-sdk/client-sfn';
import { listEnv, requireEnv } from '../shared/env';
import { createLogger } from '../shared/logger';
import { dispatch, DispatchResult } from './dispatch';

const config = {
  stateMachineArn: requireEnv('STATE_MACHINE_ARN'),
  protectedUsers: listEnv('PROTECTED_USERS'),
};
const logger = createLogger('dispatcher');
const iam = new IAMClient({});
const sfn = new SFNClient({});

/** EventBridge target: one event in, one execution per exposed key out. */
export async function handler(event: unknown): Promise<DispatchResult> {
  try {
    return await dispatch(event, { iam, sfn, logger, config });
  } catch (err) {
    logger.error('event not dispatched', { error: err as Error });
    throw err;
  }
}

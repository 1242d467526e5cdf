import { SNSClient } from '@aws-sdk/client-sns';
import { NO_SDK_RETRIES } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { parseWorkflowState } from '../shared/state';
import { notify, Notification } from './notify';

/** Reads the configuration and builds the client once; the drill builds one per run. */
export function createHandler(env: NodeJS.ProcessEnv = process.env): (event: unknown) => Promise<Notification> {
  const config = { topicArn: requireEnv('TOPIC_ARN', env) };
  const logger = createLogger('notify');
  const sns = new SNSClient(NO_SDK_RETRIES);
  return async (event) => {
    const state = parseWorkflowState(event, 'notify');
    return notify(state, { sns, config, logger: forIncident(logger, state.incident.incidentId) });
  };
}

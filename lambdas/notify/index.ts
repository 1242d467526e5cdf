import { SNSClient } from '@aws-sdk/client-sns';
import { requireEnv } from '../shared/env';
import { createLogger, forIncident } from '../shared/logger';
import { NotifyInputSchema, parseStepInput } from '../shared/steps';
import { notify, Notification } from './notify';

const config = { topicArn: requireEnv('TOPIC_ARN') };
const logger = createLogger('notify');
const sns = new SNSClient({});

/** Workflow step: tells people what happened (result or failure). */
export async function handler(event: unknown): Promise<Notification> {
  const input = parseStepInput(NotifyInputSchema, event, 'notify');
  return notify(input, { sns, config, logger: forIncident(logger, input.incident.incidentId) });
}

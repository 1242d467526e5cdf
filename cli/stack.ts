import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliContext } from './context';
import { OperationError } from './errors';

/** The name `cdk deploy` gives the stack (lib/exposed-key-responder-stack.ts STACK_ID). */
export const DEFAULT_STACK_NAME = 'ExposedKeyResponder';
/** Where the stack must live (IAM, STS and Trusted Advisor events reach EventBridge only there). */
export const STACK_REGION = 'us-east-1';

/** The stack outputs the commands read. */
export const OUTPUTS = {
  stateMachineArn: 'StateMachineArn',
  bucket: 'IncidentBucketName',
  topicArn: 'NotificationTopicArn',
  deadLetterQueueUrl: 'DeadLetterQueueUrl',
  quarantinePolicyArn: 'QuarantinePolicyArn',
} as const;
/**
 * Outputs only some deployments have: the report bus (`reporters`), the Slack secret
 * (`slackWebhookSecret`), the central bus (organization mode).
 */
export const OPTIONAL_OUTPUTS = { reportBusName: 'ReportBusName', slackWebhookSecretArn: 'SlackWebhookSecretArn', centralEventBusArn: 'CentralEventBusArn' } as const;

export type Deployment = { readonly stackName: string; readonly region: string; readonly stackStatus: string } & {
  readonly [K in keyof typeof OUTPUTS]: string;
} & { readonly [K in keyof typeof OPTIONAL_OUTPUTS]?: string };

/** CloudFormation's answer for a stack that does not exist (a `ValidationError`, not StackNotFoundException). */
function isStackMissing(err: unknown): boolean {
  return err instanceof Error && err.name === 'ValidationError' && /^Stack with id .+ does not exist/.test(err.message);
}

/** The deployed responder: its stack's outputs, read with the caller's credentials. */
export async function findDeployment(ctx: CliContext): Promise<Deployment> {
  const region = await ctx.clients.sfn.config.region();
  ctx.progress(`reading stack ${ctx.stackName} in ${region}...`);
  let stack;
  try {
    [stack] = (await ctx.clients.cloudformation.send(new DescribeStacksCommand({ StackName: ctx.stackName }))).Stacks ?? [];
  } catch (err) {
    // CloudFormation answers an unknown stack with `ValidationError: Stack with id X does not exist`.
    if (isStackMissing(err)) {
      const where = region === STACK_REGION ? '' : ` The responder is deployed in ${STACK_REGION}: pass --region ${STACK_REGION}.`;
      throw new OperationError('StackNotFound', `stack ${ctx.stackName} not found in ${region} (pass --stack <name> if it was deployed under another name).${where}`, { cause: err });
    }
    throw err;
  }
  if (!stack) throw new OperationError('StackNotFound', `stack ${ctx.stackName} not found in ${region}: CloudFormation described no stack`);
  const outputs = Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey, o.OutputValue])) as Record<string, string>;
  const missing = Object.values(OUTPUTS).filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new OperationError('NotAResponderStack', `stack ${ctx.stackName} has no output ${missing.join(', ')}: it is not an exposed-key-responder stack, or it predates these outputs (deploy it again).`);
  }
  const pick = <T extends Record<string, string>>(keys: T) =>
    Object.fromEntries(Object.entries(keys).filter(([, k]) => outputs[k]).map(([field, k]) => [field, outputs[k]])) as { [K in keyof T]: string };
  return { stackName: stack.StackName ?? ctx.stackName, region, stackStatus: stack.StackStatus ?? 'UNKNOWN', ...pick(OUTPUTS), ...pick(OPTIONAL_OUTPUTS) };
}

/** The responder's own account and partition (of its state machine's ARN): its records of other accounts are of member accounts. */
export function responderAccount(d: Pick<Deployment, 'stateMachineArn'>): { accountId: string; partition: string } {
  const [, partition = 'aws', , , accountId = ''] = d.stateMachineArn.split(':');
  return { accountId, partition };
}

/** The ARN of the incident's execution: its name is the incident id. */
export function executionArn(stateMachineArn: string, incidentId: string): string {
  const parts = stateMachineArn.split(':');
  return [...parts.slice(0, 5), 'execution', parts[6], incidentId].join(':');
}

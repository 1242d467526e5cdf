import { MEMBER_ROLE_NAME } from '../lambdas/shared/accounts';
import type { OrganizationConfig } from '../lib/config-organization';
import { DeploymentSettings, EnvironmentLambda, LAMBDA_VARIABLES, lambdaEnvironment } from '../lambdas/shared/environment';

/** The responder's configuration, as `cdk deploy -c key=value` gives it. */
export interface DrillConfig {
  readonly dryRun: boolean;
  readonly protectedUsers: readonly string[];
  /** Roles the footholds step never changes (names, /path/* prefixes); default none. */
  readonly protectedRoles?: readonly string[];
  /** Whether the footholds step stops the instances the key launched; default false. */
  readonly stopLaunchedInstances?: boolean;
  /** CloudTrail lookback of the investigation, in days. */
  readonly lookbackDays: number;
  /** Severity of a support case the responder opens. */
  readonly supportSeverity?: string;
  /** The Secrets Manager secret of the Slack webhook; none: no Slack message. */
  readonly slackWebhookSecret?: string;
  /** How far back an account-wide AWS quarantine looks for attaches, in hours. @default 24 */
  readonly quarantineWindowHours?: number;
  /** Whether the workflow imports the incident into Security Hub; default false. */
  readonly securityHub?: boolean;
  /**
   * Organization mode: the scenario's account is a member account, the responder runs in a central
   * account of its own and acts there through the member role (drill/simulated-sts.ts).
   */
  readonly organization?: OrganizationConfig;
}

/** Placeholder resource names in the simulated account; nothing here is real. */
export function resourceArns(accountId: string) {
  return {
    stateMachine: `arn:aws:states:us-east-1:${accountId}:stateMachine:ExposedKeyResponse`,
    topic: `arn:aws:sns:us-east-1:${accountId}:ExposedKeyResponderNotifications`,
    bucket: `exposed-key-responder-incidents-${accountId}`,
    quarantinePolicy: `arn:aws:iam::${accountId}:policy/exposed-key-responder/ExposedKeyResponderQuarantine`,
  };
}

/** What the stack's variables would carry in the simulated account, with the config's defaults. */
export function drillSettings(config: DrillConfig, accountId: string): DeploymentSettings {
  const arns = resourceArns(accountId);
  return {
    accountId,
    stateMachineArn: arns.stateMachine,
    topicArn: arns.topic,
    incidentBucket: arns.bucket,
    quarantinePolicyArn: arns.quarantinePolicy,
    dryRun: config.dryRun,
    protectedUsers: config.protectedUsers,
    protectedRoles: config.protectedRoles ?? [],
    stopLaunchedInstances: config.stopLaunchedInstances ?? false,
    lookbackDays: config.lookbackDays,
    quarantineWindowHours: config.quarantineWindowHours ?? 24,
    supportSeverity: config.supportSeverity ?? 'high',
    slackWebhookSecret: config.slackWebhookSecret,
    securityHub: config.securityHub ?? false,
    ...(config.organization ? { memberRoleName: MEMBER_ROLE_NAME } : {}),
    deleteMemberRootKeys: config.organization?.deleteMemberRootKeys ?? false,
  };
}

/** Each Lambda's environment, built from the same table as the stack's (lambdas/shared/environment.ts). */
export function lambdaEnvironments(settings: DeploymentSettings): Record<EnvironmentLambda, Record<string, string>> {
  const names = Object.keys(LAMBDA_VARIABLES) as EnvironmentLambda[];
  return Object.fromEntries(names.map((name) => [name, lambdaEnvironment(name, settings)])) as Record<EnvironmentLambda, Record<string, string>>;
}

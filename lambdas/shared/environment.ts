/**
 * The one table of the responder's environment variables: which variables each Lambda reads and
 * which deployment setting each carries. The stack (lib/exposed-key-responder-stack.ts) and the
 * drill (drill/lambda-environments.ts) both build every Lambda's environment with
 * {@link lambdaEnvironment}; the handlers read the variables by these names ({@link VariableName},
 * checked by the compiler in lambdas/shared/env.ts). Adding a variable: one line in
 * {@link VARIABLES}, its name in the Lambda's list in {@link LAMBDA_VARIABLES}, its setting in
 * {@link DeploymentSettings}; the handler reads it; the stack and the drill give the setting.
 */

/** What the variables carry: the deployment's configuration and the stack's resource names. */
export interface DeploymentSettings {
  /** The stack's account (12 digits). */
  readonly accountId: string;
  /** The response workflow's state machine. */
  readonly stateMachineArn: string;
  /** The notification topic. */
  readonly topicArn: string;
  /** The incident record bucket's name. */
  readonly incidentBucket: string;
  /** The customer-managed quarantine policy. */
  readonly quarantinePolicyArn: string;
  readonly dryRun: boolean;
  /** User names and `/path/*` prefixes never changed (written comma-separated). */
  readonly protectedUsers: readonly string[];
  /** Role names and `/path/*` prefixes the footholds step and the dispatcher never change (written comma-separated). */
  readonly protectedRoles: readonly string[];
  readonly stopLaunchedInstances: boolean;
  /** CloudTrail lookback of the investigation, in days. */
  readonly lookbackDays: number;
  /** How far back an account-wide AWS quarantine looks for attaches, in hours. */
  readonly quarantineWindowHours: number;
  /** Severity of a support case the responder opens. */
  readonly supportSeverity: string;
  /** The Slack webhook's secret (name or ARN); undefined: Slack not configured (written empty). */
  readonly slackWebhookSecret: string | undefined;
  /** Whether the incident is imported into Security Hub as a finding (context securityHub). */
  readonly securityHub: boolean;
  /**
   * Organization mode: the member role's name (lambdas/shared/accounts.ts). Undefined: one account,
   * and the {@link ORGANIZATION_VARIABLES} are not given at all.
   */
  readonly memberRoleName?: string;
  /**
   * Organization mode: whether contain DELETES a member account's exposed root access key through
   * sts:AssumeRoot (context deleteMemberRootKeys; irreversible). Always false in per-account mode.
   */
  readonly deleteMemberRootKeys: boolean;
}

/** Every variable a responder Lambda reads, and the setting it carries. */
export const VARIABLES = {
  ACCOUNT_ID: 'accountId',
  STATE_MACHINE_ARN: 'stateMachineArn',
  TOPIC_ARN: 'topicArn',
  INCIDENT_BUCKET: 'incidentBucket',
  QUARANTINE_POLICY_ARN: 'quarantinePolicyArn',
  DRY_RUN: 'dryRun',
  PROTECTED_USERS: 'protectedUsers',
  PROTECTED_ROLES: 'protectedRoles',
  STOP_LAUNCHED_INSTANCES: 'stopLaunchedInstances',
  LOOKBACK_DAYS: 'lookbackDays',
  QUARANTINE_WINDOW_HOURS: 'quarantineWindowHours',
  SUPPORT_SEVERITY: 'supportSeverity',
  SLACK_WEBHOOK_SECRET: 'slackWebhookSecret',
  SECURITY_HUB: 'securityHub',
  MEMBER_ROLE_NAME: 'memberRoleName',
  DELETE_MEMBER_ROOT_KEYS: 'deleteMemberRootKeys',
} as const satisfies Record<string, keyof DeploymentSettings>;

export type VariableName = keyof typeof VARIABLES;

/** The variables each Lambda reads (and is given: no more, no less). */
export const LAMBDA_VARIABLES = {
  // DRY_RUN and PROTECTED_ROLES: it revokes the sessions of the role a GuardDuty finding about temporary credentials names.
  dispatcher: ['STATE_MACHINE_ARN', 'PROTECTED_USERS', 'ACCOUNT_ID', 'TOPIC_ARN', 'QUARANTINE_WINDOW_HOURS', 'DRY_RUN', 'PROTECTED_ROLES'],
  // Contain and verify re-check protection themselves (name, path, tag), just before they act.
  // DELETE_MEMBER_ROOT_KEYS: contain alone may delete a member's root key (lambdas/contain/root-key.ts).
  contain: ['DRY_RUN', 'QUARANTINE_POLICY_ARN', 'PROTECTED_USERS', 'DELETE_MEMBER_ROOT_KEYS'],
  verify: ['DRY_RUN', 'QUARANTINE_POLICY_ARN', 'PROTECTED_USERS'],
  investigate: ['INCIDENT_BUCKET', 'LOOKBACK_DAYS', 'DRY_RUN'],
  footholds: ['DRY_RUN', 'QUARANTINE_POLICY_ARN', 'PROTECTED_USERS', 'STOP_LAUNCHED_INSTANCES', 'PROTECTED_ROLES'],
  evidence: ['DRY_RUN'],
  report: ['INCIDENT_BUCKET'],
  support: ['SUPPORT_SEVERITY', 'DRY_RUN'],
  // Empty when not configured: the Lambda then reports Slack as not configured.
  slack: ['SLACK_WEBHOOK_SECRET'],
  notify: ['TOPIC_ARN'],
  signals: ['SECURITY_HUB'],
} as const satisfies Record<string, readonly VariableName[]>;

/**
 * Organization mode only: the variables the Lambdas that act in the account of an incident (they
 * assume the member role there) are given besides their own, and which Lambdas those are.
 */
export const ORGANIZATION_VARIABLES = ['ACCOUNT_ID', 'MEMBER_ROLE_NAME'] as const satisfies readonly VariableName[];
export const ORGANIZATION_LAMBDAS = ['dispatcher', 'contain', 'verify', 'investigate', 'footholds', 'evidence', 'support'] as const satisfies readonly (keyof typeof LAMBDA_VARIABLES)[];

/** A Lambda of the table (the same names as lib/bundling.ts LAMBDA_NAMES; the stack checks it). */
export type EnvironmentLambda = keyof typeof LAMBDA_VARIABLES;

/** The settings one Lambda's variables carry: the stack may build a Lambda before the others' resources exist. */
export type SettingsOf<N extends EnvironmentLambda> = Pick<DeploymentSettings, (typeof VARIABLES)[(typeof LAMBDA_VARIABLES)[N][number]]>;

/** One setting as a variable's value: a list comma-separated, a boolean `true`/`false`, none empty. */
function written(value: DeploymentSettings[keyof DeploymentSettings]): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value.join(',');
}

/**
 * The environment of Lambda `name`: exactly its variables of {@link LAMBDA_VARIABLES}, from
 * `settings`; in organization mode (`memberRoleName` set), and for the {@link ORGANIZATION_LAMBDAS},
 * the {@link ORGANIZATION_VARIABLES} too.
 */
export function lambdaEnvironment<N extends EnvironmentLambda>(name: N, settings: SettingsOf<N> & Pick<Partial<DeploymentSettings>, 'memberRoleName'>): Record<string, string> {
  const all = settings as Partial<DeploymentSettings>;
  const organization = all.memberRoleName && (ORGANIZATION_LAMBDAS as readonly string[]).includes(name) ? ORGANIZATION_VARIABLES : [];
  const variables = [...new Set<VariableName>([...LAMBDA_VARIABLES[name], ...organization])];
  return Object.fromEntries(variables.map((variable) => [variable, written(all[VARIABLES[variable]])]));
}

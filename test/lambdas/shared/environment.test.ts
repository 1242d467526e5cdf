import { createHandler as createContain } from '../../../lambdas/contain/handler';
import { createHandler as createDispatcher } from '../../../lambdas/dispatcher/handler';
import { createHandler as createEvidence } from '../../../lambdas/evidence/handler';
import { createHandler as createFootholds } from '../../../lambdas/footholds/handler';
import { createHandler as createInvestigate } from '../../../lambdas/investigate/handler';
import { createHandler as createNotify } from '../../../lambdas/notify/handler';
import { createHandler as createReport } from '../../../lambdas/report/handler';
import { DeploymentSettings, EnvironmentLambda, LAMBDA_VARIABLES, lambdaEnvironment } from '../../../lambdas/shared/environment';
import { createHandler as createSignals } from '../../../lambdas/signals/handler';
import { createHandler as createSlack } from '../../../lambdas/slack/handler';
import { createHandler as createSupport } from '../../../lambdas/support/handler';
import { createHandler as createVerify } from '../../../lambdas/verify/handler';

const SETTINGS: DeploymentSettings = {
  accountId: '123456789012',
  stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Response',
  topicArn: 'arn:aws:sns:us-east-1:123456789012:Notifications',
  incidentBucket: 'incidents-bucket',
  quarantinePolicyArn: 'arn:aws:iam::123456789012:policy/Quarantine',
  dryRun: true,
  protectedUsers: ['break-glass', '/admins/*'],
  protectedRoles: ['OrganizationAccountAccessRole'],
  stopLaunchedInstances: false,
  lookbackDays: 7,
  quarantineWindowHours: 48,
  supportSeverity: 'urgent',
  slackWebhookSecret: undefined,
  securityHub: true,
  deleteMemberRootKeys: false,
};

const HANDLERS: Record<EnvironmentLambda, (env: NodeJS.ProcessEnv) => unknown> = {
  dispatcher: createDispatcher,
  contain: createContain,
  verify: createVerify,
  investigate: createInvestigate,
  footholds: createFootholds,
  evidence: createEvidence,
  report: createReport,
  support: createSupport,
  slack: createSlack,
  notify: createNotify,
  signals: createSignals,
};
const LAMBDAS = Object.keys(HANDLERS) as EnvironmentLambda[];

describe('lambdaEnvironment', () => {
  it('writes the footholds Lambda\'s settings as its handler reads them: lists comma-separated, booleans true/false', () => {
    expect(lambdaEnvironment('footholds', SETTINGS)).toEqual({
      DRY_RUN: 'true',
      QUARANTINE_POLICY_ARN: 'arn:aws:iam::123456789012:policy/Quarantine',
      PROTECTED_USERS: 'break-glass,/admins/*',
      STOP_LAUNCHED_INSTANCES: 'false',
      PROTECTED_ROLES: 'OrganizationAccountAccessRole',
    });
  });

  it('gives the dispatcher its seven variables, numbers as digits', () => {
    expect(lambdaEnvironment('dispatcher', SETTINGS)).toEqual({
      STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:Response',
      PROTECTED_USERS: 'break-glass,/admins/*',
      ACCOUNT_ID: '123456789012',
      TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:Notifications',
      QUARANTINE_WINDOW_HOURS: '48',
      DRY_RUN: 'true',
      PROTECTED_ROLES: 'OrganizationAccountAccessRole',
    });
  });

  it('writes an unconfigured Slack secret as an empty variable (Slack not configured)', () => {
    expect(lambdaEnvironment('slack', { slackWebhookSecret: undefined })).toEqual({ SLACK_WEBHOOK_SECRET: '' });
  });
});

describe('each handler and its row of the table', () => {
  it('covers every Lambda with a handler', () => {
    expect(Object.keys(LAMBDA_VARIABLES).sort()).toEqual([...LAMBDAS].sort());
  });

  it.each(LAMBDAS)('%s starts with exactly the environment the table gives it (it reads nothing else)', (name) => {
    expect(() => HANDLERS[name](lambdaEnvironment(name, SETTINGS))).not.toThrow();
  });

  const cells = LAMBDAS.flatMap((name) => LAMBDA_VARIABLES[name].map((variable) => [name, variable] as const));
  it.each(cells)('%s fails at cold start, naming %s, when that variable of its row is missing (it reads every one)', (name, variable) => {
    const env: NodeJS.ProcessEnv = { ...lambdaEnvironment(name, SETTINGS) };
    delete env[variable];
    expect(() => HANDLERS[name](env)).toThrow(`environment variable ${variable} is required`);
  });
});

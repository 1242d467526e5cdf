import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { SUPPORT_SEVERITIES as HANDLER_SEVERITIES } from '../../lambdas/support/support';
import { configFromContext, configFromValues } from '../../lib/config-context';
import {
  CONTEXT_KEYS,
  DEFAULT_CONFIG,
  isSecretArn,
  LOG_RETENTION_DAYS,
  MAX_INCIDENT_RETENTION_DAYS,
  MAX_LOOKBACK_DAYS,
  SUPPORT_SEVERITIES,
} from '../../lib/config';
import { testApp } from './helpers';

const fromContext = (context: Record<string, unknown>) => configFromContext(testApp(context));

describe('configFromContext', () => {
  it('gives the documented defaults when no context is set', () => {
    expect(fromContext({})).toEqual({
      notificationEmails: [],
      dryRun: false,
      protectedUsers: [],
      protectedRoles: [],
      stopLaunchedInstances: false,
      secondLookMinutes: 20,
      quarantineWindowHours: 24,
      reporters: [],
      incidentReaders: [],
      logExecutionData: false,
      logLevel: 'INFO',
      logRetentionDays: 365,
      lookbackDays: 14,
      incidentRetentionDays: undefined,
      supportSeverity: 'high',
      slackWebhookSecret: undefined,
      timeToContainAlarmSeconds: 120,
      guardDutyMinSeverity: undefined,
      securityHub: false,
      organization: undefined,
    });
    expect(DEFAULT_CONFIG).toEqual(fromContext({}));
  });

  it('reads one context key per setting', () => {
    expect([...CONTEXT_KEYS]).toEqual([
      'notificationEmail',
      'dryRun',
      'protectedUsers',
      'protectedRoles',
      'stopLaunchedInstances',
      'secondLookMinutes',
      'quarantineWindowHours',
      'reporters',
      'incidentReaders',
      'logExecutionData',
      'logLevel',
      'logRetentionDays',
      'lookbackDays',
      'incidentRetentionDays',
      'supportSeverity',
      'slackWebhookSecret',
      'timeToContainAlarmSeconds',
      'guardDutyMinSeverity',
      'securityHub',
      'organizationId',
      'memberOrganizationalUnits',
      'deleteMemberRootKeys',
    ]);
  });

  describe('notificationEmail', () => {
    it('splits a comma-separated list, trims it and drops empty items and duplicates', () => {
      expect(fromContext({ notificationEmail: ' a@example.com, b@example.org ,,a@example.com' }).notificationEmails)
        .toEqual(['a@example.com', 'b@example.org']);
    });
    it('accepts a list from cdk.json', () => {
      expect(fromContext({ notificationEmail: ['sec@example.com'] }).notificationEmails).toEqual(['sec@example.com']);
    });
    it.each(['not-an-email', 'a@b', 'a@example.com;b@example.com', 'a b@example.com'])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ notificationEmail: value })).toThrow(/notificationEmail/);
    });
    it('rejects a value that is neither a string nor a list of strings', () => {
      expect(() => fromContext({ notificationEmail: 42 })).toThrow(/notificationEmail/);
    });
  });

  describe('dryRun', () => {
    it.each([
      [true, true],
      ['true', true],
      [false, false],
      ['false', false],
    ])('reads %p as %p (-c gives strings, cdk.json booleans)', (value, expected) => {
      expect(fromContext({ dryRun: value }).dryRun).toBe(expected);
    });
    it.each(['yes', 'TRUE', '1', '', 1])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ dryRun: value })).toThrow(/Invalid context "dryRun"/);
    });
  });

  describe('quarantineWindowHours', () => {
    it.each([[1, 1], ['48', 48], [720, 720], [' 24 ', 24]])('accepts %p as %p hours', (value, hours) => {
      expect(fromContext({ quarantineWindowHours: value }).quarantineWindowHours).toBe(hours);
    });
    it.each([0, 721, '1.5', 2.5, '-1', 'a day', true])('rejects %p naming the key and the range', (value) => {
      expect(() => fromContext({ quarantineWindowHours: value })).toThrow(/Invalid context "quarantineWindowHours": .*1 to 720/);
    });
  });

  describe('stopLaunchedInstances', () => {
    it('is false unless set: instances are reported, not stopped', () => {
      expect(fromContext({}).stopLaunchedInstances).toBe(false);
    });
    it.each([[true, true], ['true', true], ['false', false]])('reads %p as %p', (value, expected) => {
      expect(fromContext({ stopLaunchedInstances: value }).stopLaunchedInstances).toBe(expected);
    });
    it.each(['yes', 1])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ stopLaunchedInstances: value })).toThrow(/Invalid context "stopLaunchedInstances"/);
    });
  });

  describe('secondLookMinutes', () => {
    it('is 20 unless set', () => {
      expect(fromContext({}).secondLookMinutes).toBe(20);
    });
    it.each([[5, 5], ['45', 45], [720, 720]])('accepts %p as %p minutes', (value, minutes) => {
      expect(fromContext({ secondLookMinutes: value }).secondLookMinutes).toBe(minutes);
    });
    it.each([4, 721, '7.5', 0, 'soon'])('rejects %p naming the key and the range', (value) => {
      expect(() => fromContext({ secondLookMinutes: value })).toThrow(`Invalid context "secondLookMinutes": expected a whole number of minutes from 5 to 720, got ${JSON.stringify(value)}`);
    });
  });

  describe('logExecutionData', () => {
    it.each([['true', true], [true, true], ['false', false], [false, false]])('reads %p as %p', (value, expected) => {
      expect(fromContext({ logExecutionData: value }).logExecutionData).toBe(expected);
    });
    it.each(['yes', 1, 'TRUE '])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ logExecutionData: value })).toThrow(/Invalid context "logExecutionData"/);
    });
  });

  describe('logLevel', () => {
    it.each(['DEBUG', 'INFO', 'WARN', 'ERROR'])('accepts %s', (level) => {
      expect(fromContext({ logLevel: level }).logLevel).toBe(level);
    });
    it('accepts lower case and normalises it', () => {
      expect(fromContext({ logLevel: 'debug' }).logLevel).toBe('DEBUG');
    });
    it.each(['TRACE', 'SILENT', 'verbose', 3])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ logLevel: value })).toThrow(/Invalid context "logLevel"/);
    });
  });

  describe('logRetentionDays', () => {
    it('accepts a CloudWatch retention value as a number or a string', () => {
      expect(fromContext({ logRetentionDays: 30 }).logRetentionDays).toBe(RetentionDays.ONE_MONTH);
      expect(fromContext({ logRetentionDays: '731' }).logRetentionDays).toBe(RetentionDays.TWO_YEARS);
    });
    it('offers exactly the retention values CloudWatch Logs accepts, never "never expire"', () => {
      expect(LOG_RETENTION_DAYS).toEqual([
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
      ]);
    });
    it.each([0, 2, 42, 9999, '1y', '-1', 30.5])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ logRetentionDays: value })).toThrow(/Invalid context "logRetentionDays"/);
    });
  });

  describe('lookbackDays', () => {
    it('is 14 days by default', () => {
      expect(fromContext({}).lookbackDays).toBe(14);
    });
    it.each([
      [1, 1],
      ['30', 30],
      [90, 90],
      [' 7 ', 7],
    ])('accepts %p as %p days (-c gives strings, cdk.json numbers)', (value, expected) => {
      expect(fromContext({ lookbackDays: value }).lookbackDays).toBe(expected);
    });
    it('goes no further back than CloudTrail\'s event history: 90 days', () => {
      expect(MAX_LOOKBACK_DAYS).toBe(90);
    });
    it.each([0, 91, '365', 1.5, '-1', '2w', '', true])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ lookbackDays: value })).toThrow(/Invalid context "lookbackDays"/);
    });
  });

  describe('incidentRetentionDays', () => {
    it('is unset by default (no Object Lock)', () => {
      expect(fromContext({}).incidentRetentionDays).toBeUndefined();
    });
    it.each([
      [1, 1],
      ['365', 365],
      [2555, 2555],
      [36500, 36500],
    ])('accepts %p as %p days', (value, expected) => {
      expect(fromContext({ incidentRetentionDays: value }).incidentRetentionDays).toBe(expected);
    });
    it('goes no further than S3 Object Lock\'s 100 years', () => {
      expect(MAX_INCIDENT_RETENTION_DAYS).toBe(36500);
    });
    it.each([0, 36501, '-1', 7.5, '1y', '', false])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ incidentRetentionDays: value })).toThrow(/Invalid context "incidentRetentionDays"/);
    });
  });

  describe('supportSeverity', () => {
    it('is high by default', () => {
      expect(fromContext({}).supportSeverity).toBe('high');
    });
    it('offers the Support API\'s severity codes, the ones the support Lambda accepts', () => {
      expect(SUPPORT_SEVERITIES).toEqual(['low', 'normal', 'high', 'urgent', 'critical']);
      expect(SUPPORT_SEVERITIES).toEqual(HANDLER_SEVERITIES);
    });
    it.each(['low', 'normal', 'high', 'urgent', 'critical'])('accepts %s', (severity) => {
      expect(fromContext({ supportSeverity: severity }).supportSeverity).toBe(severity);
    });
    it('accepts upper case and normalises it', () => {
      expect(fromContext({ supportSeverity: ' URGENT ' }).supportSeverity).toBe('urgent');
    });
    it.each(['medium', 'sev1', '', 3, true])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ supportSeverity: value })).toThrow(/Invalid context "supportSeverity"/);
    });
  });

  describe('slackWebhookSecret', () => {
    const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack/exposed-key-responder-AbC123';

    it('is unset by default (no Slack)', () => {
      expect(fromContext({}).slackWebhookSecret).toBeUndefined();
    });
    it('treats an empty value as unset', () => {
      expect(fromContext({ slackWebhookSecret: '' }).slackWebhookSecret).toBeUndefined();
      expect(fromContext({ slackWebhookSecret: '  ' }).slackWebhookSecret).toBeUndefined();
    });
    it.each(['slack/exposed-key-responder', 'SlackWebhook', 'sec.ops_slack+hook@team=1'])('accepts the secret name %p', (name) => {
      expect(fromContext({ slackWebhookSecret: ` ${name} ` }).slackWebhookSecret).toBe(name);
      expect(isSecretArn(name)).toBe(false);
    });
    it.each([
      ARN,
      'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:hook-0a1B2c',
      'arn:aws:secretsmanager:eu-central-2:123456789012:secret:a/b/c-xYz789',
    ])('accepts the complete ARN %p', (arn) => {
      expect(fromContext({ slackWebhookSecret: arn }).slackWebhookSecret).toBe(arn);
      expect(isSecretArn(arn)).toBe(true);
    });
    it.each([
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack/webhook',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:',
      'arn:aws:ssm:us-east-1:123456789012:parameter/slack-AbC123',
      'arn:aws:secretsmanager:us-east-1:1234:secret:hook-AbC123',
    ])('rejects %p, which is not a complete secret ARN', (value) => {
      expect(() => fromContext({ slackWebhookSecret: value })).toThrow(/Invalid context "slackWebhookSecret": expected a complete Secrets Manager secret ARN/);
    });
    it.each(['has space', 'semi;colon', 'x'.repeat(513), 'star*'])('rejects %p, which is not a secret name', (value) => {
      expect(() => fromContext({ slackWebhookSecret: value })).toThrow(/Invalid context "slackWebhookSecret": not a Secrets Manager secret name/);
    });
    it('rejects a name ending like an ARN suffix (Secrets Manager could not find it by partial ARN), asking for the ARN', () => {
      expect(() => fromContext({ slackWebhookSecret: 'team-alerts' })).toThrow(/slackWebhookSecret.*pass its complete ARN/);
    });
    it.each([
      'https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
      'hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX',
    ])('rejects a webhook URL without repeating it (it is a credential): %p', (url) => {
      let message = '';
      try {
        fromContext({ slackWebhookSecret: url });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/Invalid context "slackWebhookSecret": .*not a URL/);
      expect(message).not.toContain('XXXXXXXX');
      expect(message).not.toContain('T00000000');
    });
    it.each([42, ['a'], true])('rejects %p naming the key', (value) => {
      expect(() => fromContext({ slackWebhookSecret: value })).toThrow(/Invalid context "slackWebhookSecret"/);
    });
  });
});

describe('configFromValues', () => {
  it('reads plain context values exactly as configFromContext reads an App\'s context', () => {
    const context = { dryRun: 'true', protectedUsers: 'break-glass,/breakglass/*', quarantineWindowHours: '6', logExecutionData: 'true' };
    expect(configFromValues(context)).toEqual(fromContext(context));
    expect(configFromValues(context)).toMatchObject({ dryRun: true, protectedUsers: ['break-glass', '/breakglass/*'], quarantineWindowHours: 6, logExecutionData: true });
  });

  it('gives the defaults for no context, and rejects invalid values naming the key', () => {
    expect(configFromValues({})).toEqual(DEFAULT_CONFIG);
    expect(() => configFromValues({ reporters: 'alice' })).toThrow(/Invalid context "reporters"/);
  });
});

import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { configFromContext, DEFAULT_CONFIG, LOG_RETENTION_DAYS, MAX_INCIDENT_RETENTION_DAYS, MAX_LOOKBACK_DAYS } from '../../lib/config';
import { testApp } from './helpers';

const fromContext = (context: Record<string, unknown>) => configFromContext(testApp(context));

describe('configFromContext', () => {
  it('gives the documented defaults when no context is set', () => {
    expect(fromContext({})).toEqual({
      notificationEmails: [],
      dryRun: false,
      protectedUsers: [],
      logLevel: 'INFO',
      logRetentionDays: 365,
      lookbackDays: 14,
      incidentRetentionDays: undefined,
    });
    expect(DEFAULT_CONFIG).toEqual(fromContext({}));
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

  describe('protectedUsers', () => {
    it('splits a comma-separated list of IAM user names', () => {
      expect(fromContext({ protectedUsers: 'break-glass, admin@corp,ci.deploy' }).protectedUsers)
        .toEqual(['break-glass', 'admin@corp', 'ci.deploy']);
    });
    it.each(['has space', 'slash/name', 'x'.repeat(65), 'star*'])('rejects %p, which is not an IAM user name', (value) => {
      expect(() => fromContext({ protectedUsers: value })).toThrow(/protectedUsers/);
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
});

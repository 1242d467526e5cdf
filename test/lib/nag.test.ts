import { App, Stack, Validations } from 'aws-cdk-lib';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { DEFAULT_CONFIG, ResponderConfig } from '../../lib/config';
import { ExposedKeyResponderStack } from '../../lib/exposed-key-responder-stack';
import { testApp } from './helpers';

type Finding = { ruleName: string; paths: string[] };

/** cdk-nag's findings on the tree: unacknowledged ones, or all of them with `ignoreAcknowledgements`. */
function findings(app: App, ignoreAcknowledgements = false): Finding[] {
  const pack = new AwsSolutionsChecks(app);
  // cdk-nag 3 has no public switch to list acknowledged findings: its private check is turned off.
  if (ignoreAcknowledgements) (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack.validateScope(app).violations.map((v) => ({
    ruleName: v.ruleName,
    paths: v.violatingResources.map((r) => r.constructPath ?? '?'),
  }));
}

/** Every acknowledgement recorded with Validations.of(construct).acknowledge(), where it was made. */
function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: unknown }> {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
        path: c.node.path,
        id: id.replace(/^annotation::/i, ''),
        reason,
      }))),
  );
}

function responderApp(config: Partial<ResponderConfig> = {}, account?: string): App {
  const app = testApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  new ExposedKeyResponderStack(app, 'ExposedKeyResponder', { env: { account, region: 'us-east-1' }, config: { ...DEFAULT_CONFIG, ...config } });
  return app;
}

const variants: Array<[string, Partial<ResponderConfig>, string | undefined]> = [
  ['the default configuration, account unknown', {}, undefined],
  ['emails, protected users and dry run, account known', {
    notificationEmails: ['sec@example.com'],
    protectedUsers: ['break-glass'],
    dryRun: true,
  }, '123456789012'],
  ['Object Lock on the incident bucket and a 90-day lookback, account known', {
    incidentRetentionDays: 365,
    lookbackDays: 90,
  }, '123456789012'],
  ['a Slack webhook secret by name and an urgent support severity, account unknown', {
    slackWebhookSecret: 'slack/exposed-key-responder',
    supportSeverity: 'urgent',
  }, undefined],
  ['reporters, incident readers, protected path prefixes and execution data in the logs, account known', {
    reporters: ['arn:aws:iam::123456789012:role/security/reporter', 'arn:aws:iam::123456789012:user/alice'],
    incidentReaders: ['arn:aws:iam::123456789012:role/security-*'],
    protectedUsers: ['/breakglass/*', 'admin'],
    logExecutionData: true,
  }, '123456789012'],
  ['reporters and incident readers, account unknown', {
    reporters: ['arn:aws:iam::123456789012:root'],
    incidentReaders: ['arn:aws:iam::123456789012:user/auditor'],
  }, undefined],
  ['stopped launched instances and protected roles, account known', {
    stopLaunchedInstances: true,
    protectedRoles: ['OrgAdmin', '/breakglass/*'],
  }, '123456789012'],
  ['GuardDuty findings (the dispatcher revokes role sessions) and protected roles, account unknown', {
    guardDutyMinSeverity: 7,
    protectedRoles: ['OrgAdmin'],
  }, undefined],
  ['organization mode (central bus, member StackSet, role assumption), account known', {
    organization: { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'] },
    protectedUsers: ['break-glass'],
  }, '123456789012'],
  ['organization mode deleting member root keys (sts:AssumeRoot for contain), account unknown', {
    organization: { organizationId: 'o-a1b2c3d4e5', memberOrganizationalUnits: ['ou-ab12-abcdefgh'], deleteMemberRootKeys: true },
  }, undefined],
  ['a Slack webhook secret by complete ARN, account known', {
    slackWebhookSecret: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slack/exposed-key-responder-AbC123',
  }, '123456789012'],
];

describe('cdk-nag AwsSolutions', () => {
  it('reports an unacknowledged finding, which fails synth (the check really runs)', () => {
    const app = testApp();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    new Queue(new Stack(app, 'Bad'), 'Queue');
    expect(findings(app).map((f) => f.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('says plainly what the contain role can do on user/*: any inline policy on a non-protected user, only the quarantine policy attached, no managed policy created', () => {
    const acks = acknowledgements(responderApp()).filter((a) => a.path === 'ExposedKeyResponder/Contain/Role' && a.id.includes(':user/*'));
    expect(acks).toHaveLength(1);
    const reason = acks[0].reason as string;
    expect(reason).toContain('put any inline policy document (PutUserPolicy: IAM has no condition on a policy\'s content');
    expect(reason).toContain('on any user of the account that is not protected');
    expect(reason).toContain('attach the stack\'s quarantine policy and no other policy');
    expect(reason).toContain('It cannot create a managed policy');
  });

  it('says plainly what the footholds role can do on role/*: any inline policy, never on service-linked or protected roles', () => {
    const acks = acknowledgements(responderApp()).filter((a) => a.path === 'ExposedKeyResponder/Footholds/Role' && a.id.includes(':role/*'));
    expect(acks).toHaveLength(1);
    const reason = acks[0].reason as string;
    expect(reason).toContain('put any inline policy document on any role (PutRolePolicy');
    expect(reason).toContain('except on service-linked roles (role/aws-service-role/*) and protected roles');
    expect(reason).toContain('It cannot change a trust policy, attach a managed policy, nor delete anything.');
  });

  it('says plainly what the dispatcher role can do on role/* with GuardDuty findings: only the revoke-sessions deny, never on service-linked or protected roles', () => {
    const acks = acknowledgements(responderApp({ guardDutyMinSeverity: 7 })).filter((a) => a.path === 'ExposedKeyResponder/Dispatcher/Role' && a.id.includes(':role/*'));
    expect(acks).toHaveLength(1);
    const reason = acks[0].reason as string;
    expect(reason).toContain('The role whose temporary credentials (ASIA...) a GuardDuty finding names is known only at run time');
    expect(reason).toContain('the dispatcher only writes the revoke-sessions deny (AWSRevokeOlderSessions)');
    expect(reason).toContain('except on service-linked roles (role/aws-service-role/*) and protected roles');
    expect(acknowledgements(responderApp()).filter((a) => a.path === 'ExposedKeyResponder/Dispatcher/Role' && a.id.includes(':role/*'))).toEqual([]);
  });

  describe.each(variants)('with %s', (_name, config, account) => {
    const app = responderApp(config, account);

    it('has no unacknowledged finding, and synthesizes with the plugin registered', () => {
      expect(findings(app)).toEqual([]);
      expect(() => app.synth()).not.toThrow();
    });

    it('acknowledges findings one by one, each with a reason', () => {
      const acks = acknowledgements(app);
      expect(acks.length).toBeGreaterThan(0);
      for (const ack of acks) {
        expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
        expect(typeof ack.reason).toBe('string');
        expect((ack.reason as string).trim().length).toBeGreaterThan(20);
      }
      // No blanket acknowledgement on the app or the stack.
      expect(acks.filter((a) => a.path === '' || a.path === 'ExposedKeyResponder')).toEqual([]);
      // IAM5 is acknowledged per finding, never as a bare rule id.
      expect(acks.filter((a) => a.id === 'AwsSolutions-IAM5')).toEqual([]);
    });

    it('has no S3 finding at all, acknowledged or not: both buckets pass every AwsSolutions S3 rule', () => {
      expect(findings(app, true).filter((f) => /^AwsSolutions-S\d+$/.test(f.ruleName))).toEqual([]);
      expect(acknowledgements(app).filter((a) => /^AwsSolutions-S\d+$/.test(a.id))).toEqual([]);
    });

    it('acknowledges only findings that exist, on the construct that has them', () => {
      const all = findings(app, true);
      for (const ack of acknowledgements(app)) {
        const hit = all.find((f) => f.ruleName === ack.id && f.paths.some((p) => p === ack.path || p.startsWith(`${ack.path}/`)));
        expect({ ...ack, found: Boolean(hit) }).toEqual({ ...ack, found: true });
      }
    });
  });
});

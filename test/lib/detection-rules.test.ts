import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { matchesPattern } from '../../drill/event-pattern';
import { DetectionRules, DetectionRulesProps } from '../../lib/detection-rules';
import {
  AWS_QUARANTINE_POLICY_ARN_PREFIX,
  HEALTH_RISK_EVENT_CODES,
  MANUAL_EVENT_DETAIL_TYPE,
  MANUAL_EVENT_SOURCE,
  LEGACY_QUARANTINE_INLINE_POLICY,
} from '../../lambdas/shared/events';
import { Resource, stubFunction, testApp, testStack } from './helpers';

const ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '210987654321';

function synth(props: Partial<DetectionRulesProps> = {}, account: string | null = ACCOUNT) {
  const stack = testStack(testApp(), account ?? undefined);
  const target = stubFunction(stack, 'Dispatcher');
  const rules = new DetectionRules(stack, 'DetectionRules', { target, ...props });
  const template = Template.fromStack(stack);
  const [targetId] = Object.keys(template.findResources('AWS::Lambda::Function'));
  const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
  return { stack, rules, template, targetId, queueId };
}

const { template, targetId, queueId } = synth();
const rules = Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
const patterns = rules.map((r) => r.Properties.EventPattern as Record<string, unknown>);

/** The patterns (of the synthesized template) an event of `account` matches. */
function matching(event: Record<string, unknown>, account = ACCOUNT): Array<Record<string, unknown>> {
  return patterns.filter((p) => matchesPattern(p, { version: '0', account, region: 'us-east-1', time: '2026-11-20T10:00:00Z', ...event }));
}

const cloudTrail = (eventName: string, requestParameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  source: 'aws.iam',
  'detail-type': 'AWS API Call via CloudTrail',
  detail: { eventSource: 'iam.amazonaws.com', eventName, requestParameters: { userName: 'ci-deploy', ...requestParameters }, ...extra },
});

describe('DetectionRules event patterns', () => {
  it('are exactly four rules, none for a report by hand (that one lives on the report bus only)', () => {
    expect(rules).toHaveLength(4);
    expect(patterns.filter((p) => JSON.stringify(p).includes(MANUAL_EVENT_SOURCE) || JSON.stringify(p).includes(MANUAL_EVENT_DETAIL_TYPE))).toEqual([]);
  });

  it('each match the stack\'s account only', () => {
    for (const p of patterns) expect(p.account).toEqual([ACCOUNT]);
  });

  it('match the account CloudFormation deploys into when the stack\'s account is unknown at synth', () => {
    const { template: agnostic } = synth({}, null);
    for (const rule of Object.values(agnostic.findResources('AWS::Events::Rule')) as Resource[]) {
      expect(rule.Properties.EventPattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
    }
  });

  it('Health: RISK events of the five exposed/compromised credential codes', () => {
    expect(patterns).toContainEqual({
      account: [ACCOUNT],
      source: ['aws.health'],
      'detail-type': ['AWS Health Event'],
      detail: {
        service: ['RISK'],
        eventTypeCode: [
          'AWS_RISK_CREDENTIALS_EXPOSED',
          'AWS_RISK_CREDENTIALS_EXPOSURE_SUSPECTED',
          'AWS_RISK_CREDENTIALS_COMPROMISED',
          'AWS_RISK_CREDENTIALS_COMPROMISE_SUSPECTED',
          'AWS_RISK_IAM_QUARANTINE',
        ],
      },
    });
  });

  it('Trusted Advisor: "Exposed Access Keys" items in ERROR', () => {
    expect(patterns).toContainEqual({
      account: [ACCOUNT],
      source: ['aws.trustedadvisor'],
      'detail-type': ['Trusted Advisor Check Item Refresh Notification'],
      detail: { 'check-name': ['Exposed Access Keys'], status: ['ERROR'] },
    });
  });

  it('CloudTrail: a successful AttachUserPolicy of an AWS-managed quarantine policy, by ARN prefix', () => {
    expect(patterns).toContainEqual({
      account: [ACCOUNT],
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['iam.amazonaws.com'],
        eventName: ['AttachUserPolicy'],
        requestParameters: { policyArn: [{ prefix: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine' }] },
        errorCode: [{ exists: false }],
      },
    });
    expect(AWS_QUARANTINE_POLICY_ARN_PREFIX).toBe('arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine');
  });

  it('CloudTrail: a successful PutUserPolicy of the legacy inline quarantine policy', () => {
    expect(patterns).toContainEqual({
      account: [ACCOUNT],
      source: ['aws.iam'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['iam.amazonaws.com'],
        eventName: ['PutUserPolicy'],
        requestParameters: { policyName: [LEGACY_QUARANTINE_INLINE_POLICY] },
        errorCode: [{ exists: false }],
      },
    });
  });
});

describe('DetectionRules matching (drill/event-pattern matcher on the synthesized patterns)', () => {
  it.each(HEALTH_RISK_EVENT_CODES.map((c) => [c]))('matches a Health %s event', (code) => {
    const event = { source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'RISK', eventTypeCode: code } };
    expect(matching(event)).toHaveLength(1);
  });

  it('ignores other Health events', () => {
    expect(matching({ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'EC2', eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED' } })).toEqual([]);
    expect(matching({ source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'RISK', eventTypeCode: 'AWS_RISK_SOMETHING_ELSE' } })).toEqual([]);
  });

  it('matches a Trusted Advisor Exposed Access Keys item in ERROR, not one back to OK', () => {
    const ta = (status: string) => ({
      source: 'aws.trustedadvisor',
      'detail-type': 'Trusted Advisor Check Item Refresh Notification',
      detail: { 'check-name': 'Exposed Access Keys', status, 'check-item-detail': { 'Access Key ID': 'AKIAEXAMPLE000000000' } },
    });
    expect(matching(ta('ERROR'))).toHaveLength(1);
    expect(matching(ta('OK'))).toEqual([]);
  });

  it.each(['', 'V2', 'V3', 'V4'])('matches AWS attaching AWSCompromisedKeyQuarantine%s', (version) => {
    expect(matching(cloudTrail('AttachUserPolicy', { policyArn: `arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantine${version}` }))).toHaveLength(1);
  });

  it('ignores a customer policy of the same name, another AWS policy, and a failed attach', () => {
    expect(matching(cloudTrail('AttachUserPolicy', { policyArn: 'arn:aws:iam::123456789012:policy/AWSCompromisedKeyQuarantineV2' }))).toEqual([]);
    expect(matching(cloudTrail('AttachUserPolicy', { policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }))).toEqual([]);
    expect(matching(cloudTrail(
      'AttachUserPolicy',
      { policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' },
      { errorCode: 'AccessDenied' },
    ))).toEqual([]);
  });

  it('matches the legacy inline quarantine policy, not another inline policy', () => {
    expect(matching(cloudTrail('PutUserPolicy', { policyName: LEGACY_QUARANTINE_INLINE_POLICY }))).toHaveLength(1);
    expect(matching(cloudTrail('PutUserPolicy', { policyName: 'my-policy' }))).toEqual([]);
    expect(matching(cloudTrail('PutUserPolicy', { policyName: LEGACY_QUARANTINE_INLINE_POLICY }, { errorCode: 'LimitExceeded' }))).toEqual([]);
  });

  it('ignores a report by hand on the default bus', () => {
    expect(matching({ source: MANUAL_EVENT_SOURCE, 'detail-type': MANUAL_EVENT_DETAIL_TYPE, detail: { accessKeyId: 'AKIAEXAMPLE000000000' } })).toEqual([]);
  });
});

describe('DetectionRules: an event of another account matches no rule', () => {
  const events: Array<[string, Record<string, unknown>]> = [
    ['HealthRisk', { source: 'aws.health', 'detail-type': 'AWS Health Event', detail: { service: 'RISK', eventTypeCode: 'AWS_RISK_CREDENTIALS_EXPOSED' } }],
    ['TrustedAdvisorExposedKeys', {
      source: 'aws.trustedadvisor',
      'detail-type': 'Trusted Advisor Check Item Refresh Notification',
      detail: { 'check-name': 'Exposed Access Keys', status: 'ERROR' },
    }],
    ['QuarantinePolicyAttached', cloudTrail('AttachUserPolicy', { policyArn: 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV3' })],
    ['LegacyQuarantineInlinePolicy', cloudTrail('PutUserPolicy', { policyName: LEGACY_QUARANTINE_INLINE_POLICY })],
  ];

  it.each(events)('%s: matches in the stack\'s account, not in another one', (_rule, event) => {
    expect(matching(event, ACCOUNT)).toHaveLength(1);
    expect(matching(event, OTHER_ACCOUNT)).toEqual([]);
  });

  it.each(events)('%s: does not match an event without an account', (_rule, event) => {
    const withoutAccount = patterns.filter((p) => matchesPattern(p, event));
    expect(withoutAccount).toEqual([]);
  });
});

describe('DetectionRules delivery', () => {
  it('targets the function from every rule, retrying for 2 hours and 185 times, then into the DLQ', () => {
    for (const rule of rules) {
      expect(rule.Properties.Targets).toEqual([
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [targetId, 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 185 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        }),
      ]);
    }
  });

  it('takes the retry policy from props', () => {
    const { template: t } = synth({ maxEventAge: Duration.minutes(30), retryAttempts: 10 });
    for (const rule of Object.values(t.findResources('AWS::Events::Rule')) as Resource[]) {
      expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 1800, MaximumRetryAttempts: 10 });
    }
  });

  it('lets every rule (and only the rules) invoke the function and write to the DLQ', () => {
    template.resourceCountIs('AWS::Lambda::Permission', 4);
    const queuePolicy = Object.values(template.findResources('AWS::SQS::QueuePolicy'))[0] as Resource;
    const eventStatements = queuePolicy.Properties.PolicyDocument.Statement.filter(
      (s: { Principal?: { Service?: string } }) => s.Principal?.Service === 'events.amazonaws.com',
    );
    expect(eventStatements).toHaveLength(4);
    for (const s of eventStatements) expect(s.Condition.ArnEquals['aws:SourceArn']['Fn::GetAtt'][1]).toBe('Arn');
  });

  it('sends an event the function rejects (it threw, after 2 retries) to the same DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: targetId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('takes the function\'s retry count from props', () => {
    synth({ targetRetryAttempts: 0 }).template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
  });

  it('keeps the DLQ encrypted (SSE-SQS, which EventBridge can write to), TLS only, for 14 days by default', () => {
    const queue = Object.values(template.findResources('AWS::SQS::Queue'))[0] as Resource;
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(queue.Properties.KmsMasterKeyId).toBeUndefined();
    expect(queue.DeletionPolicy).toBe('Retain');
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('takes the DLQ retention from props', () => {
    synth({ deadLetterRetention: Duration.days(4) }).template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 4 * 24 * 3600 });
  });
});

import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { matchesPattern } from '../../drill/event-pattern';
import { MANUAL_EVENT_DETAIL_TYPE, MANUAL_EVENT_SOURCE } from '../../lambdas/shared/events';
import { DetectionRules } from '../../lib/detection-rules';
import { ReportBus } from '../../lib/report-bus';
import { Resource, stubFunction, testApp, testStack } from './helpers';

const ACCOUNT = '123456789012';
const REPORTERS = ['arn:aws:iam::123456789012:role/security/reporter', 'arn:aws:iam::123456789012:user/alice'];

function synth(reporters: readonly string[] = REPORTERS, account: string | null = ACCOUNT) {
  const stack = testStack(testApp(), account ?? undefined);
  const detection = new DetectionRules(stack, 'DetectionRules', { target: stubFunction(stack, 'Dispatcher') });
  const bus = new ReportBus(stack, 'ReportBus', { reporters, target: detection.ruleTarget });
  const template = Template.fromStack(stack);
  return { stack, bus, template };
}

const { stack, template } = synth();
const [, bus] = Object.entries(template.findResources('AWS::Events::EventBus'))[0] as [string, Resource];
const policy = bus.Properties.Policy as { Statement: Array<Record<string, unknown>> };
const rules = Object.values(template.findResources('AWS::Events::Rule')) as Resource[];
const reportRule = rules.find((r) => r.Properties.EventBusName)!;
const report = (account: string, extra: Record<string, unknown> = {}) => ({
  version: '0', account, region: 'us-east-1', source: MANUAL_EVENT_SOURCE, 'detail-type': MANUAL_EVENT_DETAIL_TYPE,
  detail: { accessKeyId: 'AKIAEXAMPLE000000000' }, ...extra,
});

describe('ReportBus policy', () => {
  it('allows events:PutEvents on the bus to the reporters only', () => {
    expect(policy.Statement).toContainEqual({
      Sid: 'AllowReporters',
      Effect: 'Allow',
      Principal: { AWS: REPORTERS },
      Action: 'events:PutEvents',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:us-east-1:${ACCOUNT}:event-bus/Test-reports`]] },
    });
  });

  it('explicitly denies events:PutEvents to every other principal, by aws:PrincipalArn (an identity policy on * cannot get in)', () => {
    expect(policy.Statement).toContainEqual({
      Sid: 'DenyEveryoneElse',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Resource: expect.anything(),
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': REPORTERS } },
    });
    expect(policy.Statement).toHaveLength(2);
  });

  it('is one document on the bus itself (no separate EventBusPolicy resources to race each other)', () => {
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    expect(bus.Properties.Name).toBe('Test-reports');
  });
});

describe('ReportBus rule', () => {
  it('is the only rule on the bus: reports of the stack\'s account, by source and detail-type', () => {
    expect(rules.filter((r) => r.Properties.EventBusName)).toHaveLength(1);
    expect(reportRule.Properties.EventPattern).toEqual({
      source: [MANUAL_EVENT_SOURCE],
      'detail-type': [MANUAL_EVENT_DETAIL_TYPE],
      account: [ACCOUNT],
    });
  });

  it('matches a report of the stack\'s account, not one of another account nor another source', () => {
    const pattern = reportRule.Properties.EventPattern as Record<string, unknown>;
    expect(matchesPattern(pattern, report(ACCOUNT))).toBe(true);
    expect(matchesPattern(pattern, report('210987654321'))).toBe(false);
    expect(matchesPattern(pattern, report(ACCOUNT, { source: 'someone.else' }))).toBe(false);
  });

  it('delivers like the detection rules: same target, same retry policy, same dead-letter queue', () => {
    const detectionTarget = rules.find((r) => !r.Properties.EventBusName)!.Properties.Targets[0];
    const { Id: _id, ...target } = reportRule.Properties.Targets[0];
    const { Id: _detectionId, ...expected } = detectionTarget;
    expect(target).toEqual(expected);
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 185 });
  });

  it('matches the deployment account when the account is unknown at synth', () => {
    const agnostic = synth(REPORTERS, null).template;
    const rule = (Object.values(agnostic.findResources('AWS::Events::Rule')) as Resource[]).find((r) => r.Properties.EventBusName)!;
    expect(rule.Properties.EventPattern.account).toEqual([{ Ref: 'AWS::AccountId' }]);
  });
});

describe('ReportBus checks', () => {
  it('is an error for a reporter of another account, whose reports the rule would never match', () => {
    const { stack: s } = synth(['arn:aws:iam::210987654321:role/reporter']);
    Annotations.fromStack(s).hasError('/Test/ReportBus', Match.stringLikeRegexp("must be principals of the stack's account 123456789012.*210987654321"));
  });

  it('has no error for reporters of the stack\'s account', () => {
    expect(Annotations.fromStack(stack).findError('*', /reporter/i)).toEqual([]);
  });

  it('refuses to be built without reporters', () => {
    expect(() => synth([])).toThrow(/at least one reporter/);
  });
});

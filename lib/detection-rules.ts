import { Duration, Stack } from 'aws-cdk-lib';
import { EventPattern, IEventBus, IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  AWS_QUARANTINE_POLICY_ARN_PREFIX,
  HEALTH_RISK_EVENT_CODES,
  LEGACY_QUARANTINE_INLINE_POLICY,
  TRUSTED_ADVISOR_EXPOSED_KEYS_CHECK,
} from '../lambdas/shared/events';
import { deadLetterQueue } from './dead-letter-queue';

/**
 * The events that report an exposed key, one rule each. IAM, STS and Trusted Advisor events reach
 * EventBridge only in us-east-1: the stack holding these rules must be deployed there. Each rule
 * also matches `account` = the stack's account (added by {@link DetectionRules}): an event of
 * another account is never an incident here.
 *
 * Reports by hand have no rule on the default bus (anyone allowed events:PutEvents there could
 * send one): see `ReportBus` (lib/report-bus.ts).
 */
export const DETECTION_EVENT_PATTERNS = {
  /** AWS Health: the RISK service's exposed/compromised credentials events. */
  HealthRisk: {
    source: ['aws.health'],
    detailType: ['AWS Health Event'],
    detail: {
      service: ['RISK'],
      eventTypeCode: [...HEALTH_RISK_EVENT_CODES],
    },
  },
  /** Trusted Advisor check 12Fnkpl8Y5 "Exposed Access Keys" turning red. */
  TrustedAdvisorExposedKeys: {
    source: ['aws.trustedadvisor'],
    detailType: ['Trusted Advisor Check Item Refresh Notification'],
    detail: {
      'check-name': [TRUSTED_ADVISOR_EXPOSED_KEYS_CHECK],
      status: ['ERROR'],
    },
  },
  /** AWS attaching one of its AWSCompromisedKeyQuarantine* policies (V1, V2, V3, V4, ...) to a user. */
  QuarantinePolicyAttached: {
    source: ['aws.iam'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['iam.amazonaws.com'],
      eventName: ['AttachUserPolicy'],
      requestParameters: { policyArn: [{ prefix: AWS_QUARANTINE_POLICY_ARN_PREFIX }] },
      errorCode: [{ exists: false }],
    },
  },
  /** The older mechanism: AWS putting the inline AWSExposedCredentialPolicy_DO_NOT_REMOVE policy. */
  LegacyQuarantineInlinePolicy: {
    source: ['aws.iam'],
    detailType: ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['iam.amazonaws.com'],
      eventName: ['PutUserPolicy'],
      requestParameters: { policyName: [LEGACY_QUARANTINE_INLINE_POLICY] },
      errorCode: [{ exists: false }],
    },
  },
} satisfies Record<string, EventPattern>;

export type DetectionRuleName = keyof typeof DETECTION_EVENT_PATTERNS;

/**
 * One rule (construct id: its name) for each of `names` (default: every detection pattern) under
 * `scope`, on `eventBus` (default: the account's default bus), matching events of `account` only
 * when given, each delivering to `target`. The rules of {@link DetectionRules}, of the central
 * bus and of the member stack (organization mode) are all made here, from the same patterns.
 */
export function detectionRules(
  scope: Construct,
  props: { target: IRuleTarget; account?: string; eventBus?: IEventBus; names?: readonly DetectionRuleName[] },
): Partial<Record<DetectionRuleName, Rule>> {
  const rules: Partial<Record<DetectionRuleName, Rule>> = {};
  const names = props.names ?? (Object.keys(DETECTION_EVENT_PATTERNS) as DetectionRuleName[]);
  for (const name of names) {
    const pattern: EventPattern = DETECTION_EVENT_PATTERNS[name];
    rules[name] = new Rule(scope, name, {
      description: `exposed-key-responder: ${name}`,
      eventPattern: props.account === undefined ? pattern : { ...pattern, account: [props.account] },
      ...(props.eventBus ? { eventBus: props.eventBus } : {}),
      targets: [props.target],
    });
  }
  return rules;
}

export interface DetectionRulesProps {
  /** The function every rule invokes (the dispatcher). */
  readonly target: IFunction;
  /**
   * How long EventBridge keeps retrying to deliver an event to the target (throttling, Lambda
   * unavailable) before it goes to the dead-letter queue. An exposure older than that is better
   * handled by a person reading the dead-letter queue than contained late without notice.
   * @default Duration.hours(2)
   */
  readonly maxEventAge?: Duration;
  /**
   * How many times EventBridge retries a delivery to the target (within `maxEventAge`).
   * EventBridge's maximum.
   * @default 185
   */
  readonly retryAttempts?: number;
  /**
   * How many times Lambda retries an asynchronous invocation of the target that threw, before the
   * event goes to the dead-letter queue (as an on-failure destination record). Lambda's maximum.
   * @default 2
   */
  readonly targetRetryAttempts?: number;
  /**
   * How long an undelivered or rejected event stays in the dead-letter queue. SQS's maximum.
   * @default Duration.days(14)
   */
  readonly deadLetterRetention?: Duration;
}

/**
 * The EventBridge rules that start a response, on the account's default bus, each for events of
 * the stack's own account only, with nothing lost:
 * an event EventBridge cannot deliver (after {@link DetectionRulesProps.retryAttempts}) and an event
 * the target rejects (it threw, after {@link DetectionRulesProps.targetRetryAttempts}) both land
 * in one encrypted dead-letter queue.
 *
 * The queue holds two shapes: EventBridge puts the event itself (with RULE_ARN, ERROR_CODE and
 * ERROR_MESSAGE message attributes), Lambda puts an invocation record whose `requestPayload` is
 * the event and whose `responsePayload` is the error.
 */
export class DetectionRules extends Construct {
  /** The rules, by name. */
  public readonly rules: Readonly<Record<DetectionRuleName, Rule>>;
  /** Where events that could not be dispatched end up. */
  public readonly deadLetterQueue: Queue;
  /**
   * The target of every rule: the function, with the retry policy and the dead-letter queue.
   * Give it to another rule (the report bus's) for the same delivery guarantees.
   */
  public readonly ruleTarget: IRuleTarget;

  constructor(scope: Construct, id: string, props: DetectionRulesProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetterQueue', { of: 'the detection rules and of their target', retention: props.deadLetterRetention });

    const target = this.ruleTarget = new LambdaFunction(props.target, {
      deadLetterQueue: this.deadLetterQueue,
      maxEventAge: props.maxEventAge ?? Duration.hours(2),
      retryAttempts: props.retryAttempts ?? 185,
    });
    this.rules = detectionRules(this, { target, account: Stack.of(this).account }) as Record<DetectionRuleName, Rule>;

    // EventBridge invokes the target asynchronously: when it throws, Lambda retries, then gives up.
    props.target.configureAsyncInvoke({
      onFailure: new SqsDestination(this.deadLetterQueue),
      retryAttempts: props.targetRetryAttempts ?? 2,
    });
  }
}

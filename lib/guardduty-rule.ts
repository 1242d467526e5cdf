import { Stack } from 'aws-cdk-lib';
import { EventPattern, IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { GUARDDUTY_DETAIL_TYPE, GUARDDUTY_KEY_FINDING_PREFIXES, GUARDDUTY_SOURCE } from '../lambdas/shared/guardduty';

export interface GuardDutyRuleProps {
  /** The dispatcher, as the detection rules target it (same retry policy and dead-letter queue). */
  readonly target: IRuleTarget;
  /** Findings at or above this GuardDuty severity (1 to 10; 7 and above is high) start a response. */
  readonly minSeverity: number;
}

/** The rule's pattern: access key findings of the stack's account, at or above `minSeverity`. */
export function guardDutyPattern(minSeverity: number, account: string): EventPattern {
  return {
    source: [GUARDDUTY_SOURCE],
    detailType: [GUARDDUTY_DETAIL_TYPE],
    account: [account],
    detail: {
      type: GUARDDUTY_KEY_FINDING_PREFIXES.map((prefix) => ({ prefix })),
      severity: [{ numeric: ['>=', minSeverity] }],
      resource: { resourceType: ['AccessKey'] },
    },
  };
}

/**
 * One more detection rule on the default bus (only with `guardDutyMinSeverity`): GuardDuty
 * findings whose resource is an IAM access key, of the access key finding types (matched by
 * prefix), at or above the minimum severity, of the stack's account. GuardDuty publishes a finding
 * in the region where it was detected: this rule, in us-east-1, hears that region's findings (and
 * those forwarded to its default bus).
 */
export class GuardDutyRule extends Construct {
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: GuardDutyRuleProps) {
    super(scope, id);
    this.rule = new Rule(this, 'Rule', {
      description: `exposed-key-responder: GuardDuty access key findings, severity ${props.minSeverity} and above`,
      eventPattern: guardDutyPattern(props.minSeverity, Stack.of(this).account),
      targets: [props.target],
    });
  }
}

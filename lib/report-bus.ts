import { Annotations, Stack, Token } from 'aws-cdk-lib';
import { CfnEventBus, EventBus, EventPattern, IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MANUAL_EVENT_DETAIL_TYPE, MANUAL_EVENT_SOURCE } from '../lambdas/shared/events';

/** The pattern of a report by hand (`account` = the stack's account is added by {@link ReportBus}). */
export const MANUAL_REPORT_PATTERN: EventPattern = {
  source: [MANUAL_EVENT_SOURCE],
  detailType: [MANUAL_EVENT_DETAIL_TYPE],
};

export interface ReportBusProps {
  /**
   * The IAM principals (role, user or root ARNs, exactly, no wildcard) that may put events on the
   * bus. Every other principal is explicitly denied, whatever its identity policies allow. They
   * must be principals of the stack's account: a report carries its sender's account, and the
   * rule matches the stack's account only (synth refuses another account when both are known).
   * In organization mode a reporter can start a response for a key of any member account: the
   * dispatcher acts in the account STS says owns the key (lambdas/dispatcher/report-account.ts).
   */
  readonly reporters: readonly string[];
  /** What a report is delivered to: the detection rules' target (dispatcher, retry policy, dead-letter queue). */
  readonly target: IRuleTarget;
}

/**
 * The responder's own event bus for reports by hand (`aws events put-events --event-bus-name
 * <bus>`), with one rule: source `exposed-key-responder`, detail-type `Exposed Access Key
 * Reported`, the stack's account, to {@link ReportBusProps.target}.
 *
 * Its resource policy (set on the bus itself, one document) allows events:PutEvents to the
 * reporters and explicitly denies it to every other principal (`aws:PrincipalArn` not one of
 * them): a principal of the account whose identity policy allows events:PutEvents on `*` still
 * cannot report a key, and no other account can write to the bus at all.
 */
export class ReportBus extends Construct {
  public readonly eventBus: EventBus;
  /** The rule delivering reports to the target. */
  public readonly rule: Rule;

  constructor(scope: Construct, id: string, props: ReportBusProps) {
    super(scope, id);
    if (props.reporters.length === 0) throw new Error('ReportBus: at least one reporter is required (without reporters, build no report bus)');
    const stack = Stack.of(this);
    if (!Token.isUnresolved(stack.account)) {
      const foreign = props.reporters.filter((arn) => arn.split(':')[4] !== stack.account);
      if (foreign.length > 0) {
        Annotations.of(this).addError(
          `Reporters must be principals of the stack's account ${stack.account}: a report carries its sender's account and the report rule matches ${stack.account} only, so ${foreign.join(', ')} could never report a key.`,
        );
      }
    }

    // Named, so that its policy (a property of the bus itself) can name its ARN without a reference to itself.
    const eventBusName = `${stack.stackName}-reports`;
    this.eventBus = new EventBus(this, 'Bus', {
      eventBusName,
      description: 'exposed-key-responder: reports of an exposed access key by hand, from the allowed reporters only',
    });
    const busArn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: eventBusName });
    const putEvents = { actions: ['events:PutEvents'], resources: [busArn] };
    (this.eventBus.node.defaultChild as CfnEventBus).policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AllowReporters',
          principals: props.reporters.map((arn) => new iam.ArnPrincipal(arn)),
          ...putEvents,
        }),
        new iam.PolicyStatement({
          sid: 'DenyEveryoneElse',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          ...putEvents,
          conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...props.reporters] } },
        }),
      ],
    });

    this.rule = new Rule(this, 'ManualReport', {
      description: 'exposed-key-responder: ManualReport',
      eventBus: this.eventBus,
      eventPattern: { ...MANUAL_REPORT_PATTERN, account: [stack.account] },
      targets: [props.target],
    });
  }
}

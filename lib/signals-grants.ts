import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { COMPLETION_DETAIL_TYPE, COMPLETION_EVENT_BUS, RESPONDER_EVENT_SOURCE } from '../lambdas/signals/contract';

/**
 * What the workflow's own states may publish (its PublishCompletion state, through the Step
 * Functions EventBridge integration): the completion event, on the account's default bus, and
 * nothing else. The conditions hold the role to the responder's source and the completion
 * detail-type: it cannot put a manual report (`Exposed Access Key Reported`, contract C7) or an
 * AWS event, on any bus. No wildcard: nothing to acknowledge.
 */
export function grantCompletionEvent(stateMachine: StateMachine): void {
  const stack = Stack.of(stateMachine);
  stateMachine.addToRolePolicy(new iam.PolicyStatement({
    sid: 'PublishCompletionEvent',
    actions: ['events:PutEvents'],
    resources: [stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: COMPLETION_EVENT_BUS })],
    conditions: {
      StringEquals: { 'events:source': RESPONDER_EVENT_SOURCE, 'events:detail-type': COMPLETION_DETAIL_TYPE },
    },
  }));
}

/**
 * With `securityHub`: the workflow's StartFinding and EndFinding states (the Step
 * Functions SDK integration) may import findings into this account's own product (the
 * `product/<account>/default` ARN every account has for its own findings), and nothing else.
 */
export function grantSecurityHubFindings(stateMachine: StateMachine): void {
  const stack = Stack.of(stateMachine);
  stateMachine.addToRolePolicy(new iam.PolicyStatement({
    sid: 'ImportIncidentFinding',
    actions: ['securityhub:BatchImportFindings'],
    resources: [stack.formatArn({ service: 'securityhub', resource: 'product', resourceName: `${stack.account}/default` })],
  }));
}

import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { IConstruct } from 'constructs';

/**
 * cdk-nag 3 acknowledges one finding at a time, by its finding-level id: `AwsSolutions-IAM5[Resource::<arn>]`
 * where `<arn>` is the resource as cdk-nag prints it (tokens flattened: `<AWS::AccountId>`,
 * `<LogicalId.Arn>`). These helpers build that id from the same value the policy uses, so the
 * acknowledgement follows the ARN whether the account is known at synth or not.
 */

/** The IAM5 finding id of a wildcard resource, e.g. `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:user/*]`. */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}

/** The IAM5 finding id of a wildcard action, e.g. `AwsSolutions-IAM5[Action::kms:GenerateDataKey*]`. */
export function wildcardActionFinding(action: string): string {
  return `AwsSolutions-IAM5[Action::${action}]`;
}

/** Acknowledges one cdk-nag finding on `construct` (and everything under it), with the reason. */
export function acknowledge(construct: IConstruct, id: string, reason: string): void {
  if (!reason.trim()) throw new Error(`acknowledging ${id}: a reason is required`);
  Validations.of(construct).acknowledge({ id, reason });
}

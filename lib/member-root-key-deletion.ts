import { Annotations, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ROOT_TASK_POLICY_NAME, rootTaskPolicyArn } from '../lambdas/contain/root-key';
import { acknowledge, wildcardResourceFinding } from './nag';
import { ResponderFunction } from './responder-function';

/** The synth warning's id (`cdk synth` prints it; `--strict` turns it into an error). */
export const DELETE_MEMBER_ROOT_KEYS_WARNING = 'exposed-key-responder:deleteMemberRootKeys';

export interface MemberRootKeyDeletionProps {
  /**
   * The one Lambda that deletes a member account's exposed root key (contain,
   * lambdas/contain/root-key.ts): the only one given `sts:AssumeRoot`.
   */
  readonly deleter: ResponderFunction;
}

/**
 * Context `deleteMemberRootKeys=true` (organization mode only): the deleter may call
 * `sts:AssumeRoot` on the root user of any account, only with the task policy
 * `IAMDeleteRootUserCredentials` (`sts:TaskPolicyArn`), and never on the responder's own account's
 * root (an explicit Deny). AssumeRoot itself works only from the management account or the
 * delegated administrator for IAM, with centralized root access enabled, and only on member
 * accounts of that organization. Synth warns: the deletion is IRREVERSIBLE.
 */
export class MemberRootKeyDeletion extends Construct {
  /** The task policy the root sessions are limited to. */
  public readonly taskPolicyArn: string;

  constructor(scope: Construct, id: string, props: MemberRootKeyDeletionProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.taskPolicyArn = rootTaskPolicyArn(stack.partition);
    const anyRoot = stack.formatArn({ service: 'iam', region: '', account: '*', resource: 'root' });
    props.deleter.addToRolePolicy(new iam.PolicyStatement({
      sid: 'DeleteMemberRootKeys',
      actions: ['sts:AssumeRoot'],
      resources: [anyRoot],
      conditions: { StringEquals: { 'sts:TaskPolicyArn': this.taskPolicyArn } },
    }));
    props.deleter.addToRolePolicy(new iam.PolicyStatement({
      sid: 'NeverTheResponderAccountRoot',
      effect: iam.Effect.DENY,
      actions: ['sts:AssumeRoot'],
      resources: [stack.formatArn({ service: 'iam', region: '', resource: 'root' })],
    }));
    acknowledge(
      props.deleter.role,
      wildcardResourceFinding(stack, anyRoot),
      `deleteMemberRootKeys: the member account of an exposed root key is known only at run time, so contain may call sts:AssumeRoot on the root user of any account, ` +
        `only with the task policy ${ROOT_TASK_POLICY_NAME} (sts:TaskPolicyArn: delete the root user's credentials, nothing else) and never on this account's own root (explicit Deny); ` +
        'AssumeRoot itself reaches only the member accounts of the organization whose management account or IAM delegated administrator this account is.',
    );
    Annotations.of(this).addWarningV2(
      DELETE_MEMBER_ROOT_KEYS_WARNING,
      'deleteMemberRootKeys=true: an exposed root access key of a member account is DELETED (IRREVERSIBLE: a deleted key cannot be restored) through centralized root access ' +
        `(sts:AssumeRoot, task policy ${ROOT_TASK_POLICY_NAME}). It needs centralized root access enabled and this account as the management account or the delegated administrator for IAM (README "Many accounts").`,
    );
  }
}

import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { quarantinePolicyDocument, RESPONDER_POLICY_PATH } from '../lambdas/shared/policies';
import { userArn } from './protected-users';

/**
 * The customer-managed policy the responder attaches to an exposed key's user: deny-only (it
 * takes away, never grants), under the path {@link RESPONDER_POLICY_PATH}. Detaching it gives the
 * user back what it had. Its document is `quarantinePolicyDocument()` of lambdas/shared/policies.ts,
 * as it is (the one place it is written; the Lambdas and the drill read the same module).
 */
export interface QuarantinePolicyProps {
  /**
   * A fixed name (the member stack's policy, whose ARN the central Lambdas compute for each
   * member account).
   * @default - a name CloudFormation generates
   */
  readonly managedPolicyName?: string;
}

export class QuarantinePolicy extends Construct {
  public readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: QuarantinePolicyProps = {}) {
    super(scope, id);
    // 'Default' keeps the logical id the policy had as a direct child of the stack: a new id would
    // replace the policy, and CloudFormation cannot delete one still attached to users.
    this.policy = new iam.ManagedPolicy(this, 'Default', {
      description: 'exposed-key-responder: denies high-risk actions to the user of an exposed access key (attached by the responder; detach it when the user is clean)',
      path: RESPONDER_POLICY_PATH,
      ...(props.managedPolicyName ? { managedPolicyName: props.managedPolicyName } : {}),
      document: iam.PolicyDocument.fromJson(quarantinePolicyDocument()),
    });
  }

  /** The policy's ARN. */
  public get policyArn(): string {
    return this.policy.managedPolicyArn;
  }

  /**
   * Lets `grantee` attach this policy, and no other, to any user of the account
   * (`iam:AttachUserPolicy` on `user/*` with `iam:PolicyARN` equal to this policy's ARN). The
   * `user/*` resource is the grantee's to acknowledge: which users it may act on is its own rule.
   */
  public grantAttach(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['iam:AttachUserPolicy'],
      resourceArns: [userArn(this, '*')],
      conditions: { ArnEquals: { 'iam:PolicyARN': [this.policyArn] } },
    });
  }
}

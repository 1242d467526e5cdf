import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { MEMBER_ROLE_NAME } from '../lambdas/shared/accounts';
import { grantContainment, grantVerification } from './containment-grants';
import { grantDispatchReads } from './dispatcher-grants';
import { grantFootholds } from './footholds-grants';
import { grantEvidence, grantInvestigation } from './investigation-grants';
import { QuarantinePolicy } from './quarantine-policy';
import { RoleGrantee } from './role-grantee';
import { grantSupportCases } from './support-grants';

export interface MemberResponderRoleProps {
  /**
   * The central responder's Lambda roles that may assume this role (a CloudFormation list: the
   * member StackSet's `ResponderRoleArns` parameter).
   */
  readonly trustedRoleArns: string[];
  /** The organization: the trust also requires `aws:PrincipalOrgID` to be it. */
  readonly organizationId: string;
  /** The member account's quarantine policy: the only managed policy the role may attach. */
  readonly quarantinePolicy: QuarantinePolicy;
  /** `protectedUsers` entries: explicitly denied every change, in every member account. */
  readonly protectedUsers: readonly string[];
  /** `protectedRoles` entries: explicitly denied every change, in every member account. */
  readonly protectedRoles: readonly string[];
  /**
   * Whether the role may stop the instances the key launched (context `stopLaunchedInstances`).
   * @default false: no ec2:StopInstances at all
   */
  readonly stopLaunchedInstances?: boolean;
}

/**
 * The fixed-name role ({@link MEMBER_ROLE_NAME}) through which the central responder acts in a
 * member account. It has exactly the statements the central Lambdas that act in an account have
 * there (the dispatcher's reads, containment, verification, the investigation's reads, evidence,
 * footholds, the support case), made by the same grant functions as the central stack's (no second
 * copy of a permission): nothing to write records, publish or start executions, which the central
 * Lambdas do with their own roles. Trusted only by the central Lambda roles given, and only while
 * they are of the organization (`aws:PrincipalOrgID`).
 */
export class MemberResponderRole extends Construct implements RoleGrantee {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: MemberResponderRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: MEMBER_ROLE_NAME,
      description: 'exposed-key-responder: the central responder acts in this account through this role (containment, investigation, evidence, support case)',
      assumedBy: new RoleArnsPrincipal(props.trustedRoleArns).withConditions({
        StringEquals: { 'aws:PrincipalOrgID': props.organizationId },
      }),
    });
    // One policy a step: the steps' statements keep their own Sids (a Sid is unique within a policy).
    const step = (name: string) => new StepPolicy(this, name, this.role);
    grantDispatchReads(step('Dispatch'));
    grantContainment(step('Contain'), { quarantinePolicy: props.quarantinePolicy, protectedUsers: props.protectedUsers });
    grantVerification(step('Verify'));
    grantInvestigation(step('Investigate'));
    grantEvidence(step('Evidence'));
    grantFootholds(step('Footholds'), {
      quarantinePolicy: props.quarantinePolicy,
      protectedUsers: props.protectedUsers,
      protectedRoles: props.protectedRoles,
      stopLaunchedInstances: props.stopLaunchedInstances,
    });
    grantSupportCases(step('Support'));
  }

  public get grantPrincipal(): iam.IPrincipal {
    return this.role.grantPrincipal;
  }

  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.role.addToPolicy(statement);
  }
}

/** One inline policy of the member role, holding what one step of the workflow needs. */
class StepPolicy extends Construct implements RoleGrantee {
  private readonly policy: iam.Policy;

  constructor(scope: Construct, id: string, public readonly role: iam.Role) {
    super(scope, id);
    // Under the role: the grant functions acknowledge their cdk-nag findings on the role's tree.
    this.policy = new iam.Policy(role, `${id}Policy`, { roles: [role] });
  }

  public get grantPrincipal(): iam.IPrincipal {
    return this.role.grantPrincipal;
  }

  public addToRolePolicy(statement: iam.PolicyStatement): void {
    this.policy.addStatements(statement);
  }
}

/** `Principal: {"AWS": <a list of role ARNs>}`, the list being a CloudFormation value (a parameter). */
class RoleArnsPrincipal extends iam.PrincipalBase {
  constructor(private readonly arns: string[]) {
    super();
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return new iam.PrincipalPolicyFragment({ AWS: this.arns });
  }

  public toString(): string {
    return 'RoleArnsPrincipal';
  }

  public dedupeString(): string | undefined {
    return undefined;
  }
}

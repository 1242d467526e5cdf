import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * What the grant functions (containment-grants.ts, investigation-grants.ts, footholds-grants.ts,
 * dispatcher-grants.ts, support-grants.ts) need of the principal they grant to: a role to add
 * statements to, and to acknowledge cdk-nag findings on. A {@link ResponderFunction} is one (its
 * execution role); so is the member role of organization mode (lib/member-responder-role.ts), which
 * gets the same statements from the same functions in every member account.
 */
export interface RoleGrantee extends iam.IGrantable, IConstruct {
  /** The role the statements land on; cdk-nag acknowledgements are made on it. */
  readonly role: iam.IRole & IConstruct;
  addToRolePolicy(statement: iam.PolicyStatement): void;
}

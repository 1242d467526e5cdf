// The simulated account's operations that the footholds step uses, besides the user ones of
// simulated-account.ts: roles (read, inline policies), console passwords deleted,
// service-specific credentials, and EC2 StopInstances. They act on the account's own state (the
// same user, role and instance objects), and answer as AWS does, errors and quotas included.
import { LimitExceededException } from '@aws-sdk/client-iam';
import { policySize } from '../lambdas/shared/policies';
import { awsError, noSuchEntity } from './aws-errors';
import { Scenario } from './scenario';
import { userNamed } from './simulated-iam';

type User = Scenario['users'][number];
type Role = Scenario['roles'][number];
type Instance = Scenario['instances'][number];

/** The total size of a role's inline policies (IAM quota, white space excluded). */
export const INLINE_ROLE_POLICY_QUOTA = 10_240;

/** Where IAM keeps service-linked roles: AWS refuses every change to them. */
const SERVICE_LINKED_PATH = '/aws-service-role/';

const tagList = (tags: Record<string, string> | undefined) => Object.entries(tags ?? {}).map(([Key, Value]) => ({ Key, Value }));

export class FootholdOperations {
  constructor(
    private readonly accountId: string,
    private readonly users: User[],
    private readonly roles: Role[],
    /** The account's instance of that id in that region, or InvalidInstanceID.NotFound. */
    private readonly instance: (region: string, instanceId: unknown) => Instance,
  ) {}

  private user(userName: unknown): User {
    return userNamed(this.users, userName);
  }

  private role(roleName: unknown): Role {
    const role = this.roles.find((r) => r.roleName === roleName);
    if (!role) throw noSuchEntity(`The role with name ${String(roleName)} cannot be found.`);
    return role;
  }

  // ---- IAM roles --------------------------------------------------------------------------------

  protected iam_GetRole(input: Record<string, unknown>) {
    const role = this.role(input.RoleName);
    const path = role.path ?? '/';
    const tags = tagList(role.tags);
    return {
      Role: {
        RoleName: role.roleName, Path: path, RoleId: `AROA${role.roleName.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(17, 'X').slice(0, 17)}`,
        Arn: `arn:aws:iam::${this.accountId}:role${path}${role.roleName}`, CreateDate: new Date('2026-01-01T00:00:00Z'),
        ...(tags.length > 0 ? { Tags: tags } : {}),
      },
    };
  }

  protected iam_GetRolePolicy(input: Record<string, unknown>) {
    const role = this.role(input.RoleName);
    const document = role.inlinePolicies[String(input.PolicyName)];
    if (!document) throw noSuchEntity(`The role policy with name ${String(input.PolicyName)} cannot be found.`);
    // IAM returns the document URL-encoded.
    return { RoleName: role.roleName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(JSON.stringify(document)) };
  }

  protected iam_PutRolePolicy(input: Record<string, unknown>) {
    const role = this.role(input.RoleName);
    if ((role.path ?? '/').startsWith(SERVICE_LINKED_PATH)) {
      throw awsError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${role.roleName}' - this role is only modifiable by AWS`);
    }
    const name = String(input.PolicyName);
    const text = String(input.PolicyDocument);
    const document = JSON.parse(text) as Record<string, unknown>;
    const others = Object.entries(role.inlinePolicies).filter(([n]) => n !== name);
    const total = others.reduce((sum, [, d]) => sum + policySize(d), 0) + policySize(text);
    if (total > INLINE_ROLE_POLICY_QUOTA) {
      throw new LimitExceededException({ message: `Maximum policy size of ${INLINE_ROLE_POLICY_QUOTA} bytes exceeded for role ${role.roleName}`, $metadata: { httpStatusCode: 409 } });
    }
    role.inlinePolicies[name] = document;
    return {};
  }

  // ---- IAM users: console password, service-specific credentials ---------------------------------

  protected iam_DeleteLoginProfile(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    if (!user.loginProfile) throw noSuchEntity(`Login Profile for User ${user.userName} cannot be found.`);
    user.loginProfile = false;
    return {};
  }

  protected iam_ListServiceSpecificCredentials(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const credentials = user.serviceSpecificCredentials.filter((c) => input.ServiceName === undefined || c.serviceName === input.ServiceName);
    return {
      ServiceSpecificCredentials: credentials.map((c) => ({
        UserName: user.userName, Status: c.status, ServiceUserName: `${user.userName}-at-${this.accountId}`,
        CreateDate: new Date(c.createDate ?? '2026-01-01T00:00:00Z'), ServiceSpecificCredentialId: c.serviceSpecificCredentialId, ServiceName: c.serviceName,
      })),
    };
  }

  protected iam_UpdateServiceSpecificCredential(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const credential = user.serviceSpecificCredentials.find((c) => c.serviceSpecificCredentialId === input.ServiceSpecificCredentialId);
    if (!credential) throw noSuchEntity(`No such credential ${String(input.ServiceSpecificCredentialId)} exists for user ${user.userName}.`);
    credential.status = input.Status as 'Active' | 'Inactive';
    return {};
  }

  // ---- EC2 --------------------------------------------------------------------------------------

  /** Stops running instances (a stopped one stays stopped); a terminated one cannot be stopped. */
  protected ec2_StopInstances(input: Record<string, unknown>, region: string) {
    const instances = ((input.InstanceIds as string[] | undefined) ?? []).map((id) => this.instance(region, id));
    const refused = instances.find((i) => i.state === 'terminated' || i.state === 'shutting-down');
    if (refused) throw awsError('IncorrectInstanceState', `This instance '${refused.instanceId}' is not in a state from which it can be stopped.`);
    return {
      StoppingInstances: instances.map((i) => {
        const previous = i.state;
        if (previous !== 'stopped') i.state = 'stopped';
        return { InstanceId: i.instanceId, PreviousState: { Name: previous }, CurrentState: { Name: previous === 'stopped' ? 'stopped' : 'stopping' } };
      }),
    };
  }
}

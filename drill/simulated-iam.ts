// The simulated account's IAM (users, access keys, user policies, the policy simulator) and the
// key-id reads of STS, acting on the account's own users and roles, answering as AWS does (errors
// and quotas included). Roles' changes and credentials cleanup: simulated-footholds.ts.
import { LimitExceededException } from '@aws-sdk/client-iam';
import { INLINE_USER_POLICY_QUOTA, policySize, quarantinePolicyDocument } from '../lambdas/shared/policies';
import { awsError, noSuchEntity } from './aws-errors';
import { AWS_MANAGED_DOCUMENTS, evaluate } from './policy-evaluator';
import { Scenario } from './scenario';

type User = Scenario['users'][number];

/** The user of that name, or IAM's NoSuchEntity. */
export function userNamed(users: readonly User[], userName: unknown): User {
  const user = users.find((u) => u.userName === userName);
  if (!user) throw noSuchEntity(`The user with name ${String(userName)} cannot be found.`);
  return user;
}

/** Managed policies attached to one user (IAM default quota). */
export const ATTACHED_USER_POLICY_QUOTA = 10;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/**
 * The account an AKIA/ASIA key id encodes (ids issued since 2019: base32, account in bits 1..40
 * of the first six bytes after the prefix), as STS GetAccessKeyInfo answers; undefined when the
 * id does not decode.
 */
export function accountOfKeyId(id: string): string | undefined {
  if (!/^(AKIA|ASIA)[A-Z2-7]{16}$/.test(id)) return undefined;
  let bits = '';
  for (const c of id.slice(4, 14)) bits += BASE32.indexOf(c).toString(2).padStart(5, '0');
  const sixBytes = BigInt(`0b${bits.slice(0, 48)}`);
  return ((sixBytes & 0x7fffffffff80n) >> 7n).toString().padStart(12, '0');
}

/** IAM (and STS's key-id reads) of the simulated account. */
export class IamOperations {
  private readonly managedPolicies = new Map<string, string>();

  constructor(
    private readonly accountId: string,
    private readonly users: User[],
    private readonly roles: Scenario['roles'],
    /** Customer-managed policies that exist before the incident (the stack's quarantine policy). */
    existingPolicyArns: readonly string[],
  ) {
    // The stack's own policies: the quarantine deny (what the simulation evaluates).
    for (const arn of existingPolicyArns) {
      this.managedPolicies.set(arn, JSON.stringify(quarantinePolicyDocument()));
    }
  }

  private user(userName: unknown): User {
    return userNamed(this.users, userName);
  }
  // ---- IAM ----------------------------------------------------------------------------------

  protected iam_GetAccessKeyLastUsed(input: Record<string, unknown>) {
    const owner = this.users.find((u) => u.accessKeys.some((k) => k.accessKeyId === input.AccessKeyId));
    const other = accountOfKeyId(String(input.AccessKeyId));
    if (!owner && other && other !== this.accountId) {
      // IAM does not answer for another account's key: the caller may not read that account's users.
      throw awsError('AccessDenied', `User is not authorized to perform: iam:GetAccessKeyLastUsed on a key of account ${other}`);
    }
    if (!owner) throw noSuchEntity(`The Access Key with id ${String(input.AccessKeyId)} cannot be found`);
    return { UserName: owner.userName, AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } };
  }

  protected iam_ListAccessKeys(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    return {
      AccessKeyMetadata: user.accessKeys.map((k) => ({
        UserName: user.userName,
        AccessKeyId: k.accessKeyId,
        Status: k.status,
        ...(k.createDate ? { CreateDate: new Date(k.createDate) } : {}),
      })),
      IsTruncated: false,
    };
  }

  protected iam_UpdateAccessKey(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const key = user.accessKeys.find((k) => k.accessKeyId === input.AccessKeyId);
    if (!key) throw noSuchEntity(`The Access Key with id ${String(input.AccessKeyId)} cannot be found.`);
    key.status = input.Status as 'Active' | 'Inactive';
    return {};
  }

  protected iam_PutUserPolicy(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const name = String(input.PolicyName);
    const document = JSON.parse(String(input.PolicyDocument)) as Record<string, unknown>;
    const others = Object.entries(user.inlinePolicies).filter(([n]) => n !== name);
    const total = others.reduce((sum, [, d]) => sum + policySize(JSON.stringify(d)), 0) + policySize(String(input.PolicyDocument));
    if (total > INLINE_USER_POLICY_QUOTA) {
      throw new LimitExceededException({
        message: `Maximum policy size of ${INLINE_USER_POLICY_QUOTA} bytes exceeded for user ${user.userName}`,
        $metadata: { httpStatusCode: 409 },
      });
    }
    user.inlinePolicies[name] = document;
    return {};
  }

  protected iam_GetUserPolicy(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const document = user.inlinePolicies[String(input.PolicyName)];
    if (!document) throw noSuchEntity(`The user policy with name ${String(input.PolicyName)} cannot be found.`);
    // IAM returns the document URL-encoded.
    return { UserName: user.userName, PolicyName: input.PolicyName, PolicyDocument: encodeURIComponent(JSON.stringify(document)) };
  }

  protected iam_ListUserPolicies(input: Record<string, unknown>) {
    return { PolicyNames: Object.keys(this.user(input.UserName).inlinePolicies), IsTruncated: false };
  }

  protected iam_AttachUserPolicy(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const arn = String(input.PolicyArn);
    if (!arn.startsWith('arn:aws:iam::aws:policy/') && !this.managedPolicies.has(arn)) {
      throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
    }
    if (user.attachedPolicyArns.includes(arn)) return {};
    if (user.attachedPolicyArns.length >= ATTACHED_USER_POLICY_QUOTA) {
      throw new LimitExceededException({
        message: `Cannot exceed quota for PoliciesPerUser: ${ATTACHED_USER_POLICY_QUOTA}`,
        $metadata: { httpStatusCode: 409 },
      });
    }
    user.attachedPolicyArns.push(arn);
    return {};
  }

  protected iam_ListAttachedUserPolicies(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    return {
      AttachedPolicies: user.attachedPolicyArns.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
      IsTruncated: false,
    };
  }

  protected iam_GetAccountAuthorizationDetails(input: Record<string, unknown>) {
    const filter = (input.Filter as string[] | undefined) ?? ['User', 'Role', 'Group', 'LocalManagedPolicy', 'AWSManagedPolicy'];
    return {
      UserDetailList: filter.includes('User')
        ? this.users.map((u) => ({
            UserName: u.userName,
            Arn: `arn:aws:iam::${this.accountId}:user/${u.userName}`,
            UserPolicyList: Object.entries(u.inlinePolicies).map(([PolicyName, d]) => ({ PolicyName, PolicyDocument: encodeURIComponent(JSON.stringify(d)) })),
            AttachedManagedPolicies: u.attachedPolicyArns.map((arn) => ({ PolicyArn: arn, PolicyName: arn.split('/').pop() })),
            GroupList: u.groups ?? [],
          }))
        : [],
      RoleDetailList: filter.includes('Role') ? this.roles.map((r) => ({ RoleName: r.roleName })) : [],
      IsTruncated: false,
    };
  }

  protected iam_GetUser(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const tags = Object.entries(user.tags ?? {}).map(([Key, Value]) => ({ Key, Value }));
    return { User: { UserName: user.userName, Path: user.path ?? '/', ...(tags.length > 0 ? { Tags: tags } : {}), UserId: `AIDA${user.userName.toUpperCase().replace(/[^A-Z0-9]/g, '').padEnd(17, 'X').slice(0, 17)}`, Arn: `arn:aws:iam::${this.accountId}:user/${user.userName}`, CreateDate: new Date('2026-01-01T00:00:00Z') } };
  }

  protected iam_ListGroupsForUser(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    return { Groups: (user.groups ?? []).map((g) => ({ GroupName: g, Arn: `arn:aws:iam::${this.accountId}:group/${g}`, Path: '/', GroupId: g, CreateDate: new Date(0) })), IsTruncated: false };
  }

  // Groups carry no policies in a scenario.
  protected iam_ListAttachedGroupPolicies() {
    return { AttachedPolicies: [], IsTruncated: false };
  }

  protected iam_ListGroupPolicies() {
    return { PolicyNames: [], IsTruncated: false };
  }

  /** The document of a managed policy the account knows, or undefined. */
  private managedDocument(arn: string): unknown {
    if (this.managedPolicies.has(arn)) return JSON.parse(this.managedPolicies.get(arn)!);
    const m = /^arn:aws:iam::aws:policy\/(?:.*\/)?([^/]+)$/.exec(arn);
    return m ? AWS_MANAGED_DOCUMENTS[m[1]] : undefined;
  }

  protected iam_GetPolicy(input: Record<string, unknown>) {
    const arn = String(input.PolicyArn);
    if (!this.managedDocument(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
    return { Policy: { Arn: arn, PolicyName: arn.split('/').pop(), DefaultVersionId: 'v1' } };
  }

  protected iam_GetPolicyVersion(input: Record<string, unknown>) {
    const doc = this.managedDocument(String(input.PolicyArn));
    if (!doc) throw noSuchEntity(`Policy ${String(input.PolicyArn)} was not found.`);
    return { PolicyVersion: { Document: encodeURIComponent(JSON.stringify(doc)), VersionId: input.VersionId ?? 'v1', IsDefaultVersion: true } };
  }

  protected iam_SimulatePrincipalPolicy(input: Record<string, unknown>) {
    const name = String(input.PolicySourceArn).split('/').pop();
    const user = this.user(name);
    const documents = [...Object.values(user.inlinePolicies), ...user.attachedPolicyArns.map((arn) => this.managedDocument(arn))];
    return this.simulation(documents, input.ActionNames as string[]);
  }

  protected iam_SimulateCustomPolicy(input: Record<string, unknown>) {
    return this.simulation((input.PolicyInputList as string[]).map((d) => JSON.parse(d) as unknown), input.ActionNames as string[]);
  }

  private simulation(documents: unknown[], actions: string[]) {
    return { EvaluationResults: actions.map((a) => ({ EvalActionName: a, EvalResourceName: '*', EvalDecision: evaluate(documents, a) })), IsTruncated: false };
  }

  // ---- STS (the dispatcher) ----------------------------------------------------------------------

  /** The account of any key id: this account's for its users' keys, else as encoded in the id. */
  protected sts_GetAccessKeyInfo(input: Record<string, unknown>) {
    const id = String(input.AccessKeyId);
    if (this.users.some((u) => u.accessKeys.some((k) => k.accessKeyId === id))) return { Account: this.accountId };
    const account = accountOfKeyId(id);
    if (!account) throw awsError('InvalidParameterValue', `${id} is not an access key id STS can read`);
    return { Account: account };
  }
}

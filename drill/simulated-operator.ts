// The simulated account's operations that the operator's command line uses (restore, the live
// drill's canary user), besides the responder's own in simulated-account.ts: removing inline and
// managed policies, reading the incident bucket, the caller's identity, the executions' status,
// and creating and deleting a user and its key. They act on the account's own state.
import { awsError, noSuchEntity } from './aws-errors';
import { Scenario } from './scenario';
import type { StartedExecution } from './simulated-account';
import { userNamed } from './simulated-iam';

type User = Scenario['users'][number];

export class OperatorOperations {
  /** How each execution ended (the drill runs them to the end at once), by name. */
  readonly ended = new Map<string, { status: string; startDate: Date; stopDate: Date }>();
  private keys = 0;

  constructor(
    private readonly accountId: string,
    private readonly users: User[],
    private readonly objects: ReadonlyMap<string, { body: string; etag?: string }>,
    private readonly executions: ReadonlyMap<string, StartedExecution>,
  ) {}

  private user(userName: unknown): User {
    return userNamed(this.users, userName);
  }

  protected iam_DeleteUserPolicy(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const name = String(input.PolicyName);
    if (!(name in user.inlinePolicies)) throw noSuchEntity(`The user policy with name ${name} cannot be found.`);
    delete user.inlinePolicies[name];
    return {};
  }

  protected iam_DetachUserPolicy(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const at = user.attachedPolicyArns.indexOf(String(input.PolicyArn));
    if (at < 0) throw noSuchEntity(`Policy ${String(input.PolicyArn)} was not found.`);
    user.attachedPolicyArns.splice(at, 1);
    return {};
  }

  protected iam_CreateUser(input: Record<string, unknown>) {
    const userName = String(input.UserName);
    if (this.users.some((u) => u.userName.toLowerCase() === userName.toLowerCase())) throw awsError('EntityAlreadyExists', `User with name ${userName} already exists.`);
    const tags = Object.fromEntries(((input.Tags as Array<{ Key: string; Value: string }> | undefined) ?? []).map((t) => [t.Key, t.Value]));
    this.users.push({ userName, ...(Object.keys(tags).length > 0 ? { tags } : {}), accessKeys: [], inlinePolicies: {}, attachedPolicyArns: [], loginProfile: false, serviceSpecificCredentials: [] } as User);
    return { User: { UserName: userName, Arn: `arn:aws:iam::${this.accountId}:user/${userName}`, Path: '/' } };
  }

  protected iam_CreateAccessKey(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const accessKeyId = `AKIASIMCANARY${String(++this.keys).padStart(7, '0')}`;
    user.accessKeys.push({ accessKeyId, status: 'Active', createDate: new Date().toISOString() });
    return { AccessKey: { UserName: user.userName, AccessKeyId: accessKeyId, Status: 'Active', SecretAccessKey: 'simulated-secret-never-used' } };
  }

  protected iam_DeleteAccessKey(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    const at = user.accessKeys.findIndex((k) => k.accessKeyId === input.AccessKeyId);
    if (at < 0) throw noSuchEntity(`The Access Key with id ${String(input.AccessKeyId)} cannot be found.`);
    user.accessKeys.splice(at, 1);
    return {};
  }

  protected iam_DeleteUser(input: Record<string, unknown>) {
    const user = this.user(input.UserName);
    if (user.accessKeys.length > 0 || Object.keys(user.inlinePolicies).length > 0 || user.attachedPolicyArns.length > 0) {
      throw awsError('DeleteConflict', 'Cannot delete entity, must delete access keys and policies first.');
    }
    this.users.splice(this.users.indexOf(user), 1);
    return {};
  }

  protected s3_GetObject(input: Record<string, unknown>) {
    const object = this.objects.get(`${String(input.Bucket)}/${String(input.Key)}`);
    if (!object) throw awsError('NoSuchKey', 'The specified key does not exist.');
    return { Body: { transformToString: async () => object.body }, ContentType: 'application/json', LastModified: new Date(), ETag: object.etag };
  }

  protected sts_GetCallerIdentity() {
    return { Account: this.accountId, Arn: `arn:aws:iam::${this.accountId}:user/drill-operator`, UserId: 'AIDADRILLOPERATOR' };
  }

  protected sfn_DescribeExecution(input: Record<string, unknown>) {
    const arn = String(input.executionArn);
    const started = [...this.executions.values()].find((e) => e.executionArn === arn);
    if (!started) throw awsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    const ended = this.ended.get(started.name);
    return { executionArn: arn, name: started.name, input: started.input, status: ended?.status ?? 'RUNNING', startDate: ended?.startDate ?? new Date(), ...(ended ? { stopDate: ended.stopDate } : {}) };
  }
}

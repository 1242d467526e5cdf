// A small stateful account for the footholds executor: users (keys, console password, policies,
// service-specific credentials), roles (inline policies) and instances, behind aws-sdk-client-mock.
// Outcomes are read from its state; `faults` makes one operation fail.
import { EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import {
  AttachUserPolicyCommand,
  DeleteLoginProfileCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  GetUserCommand,
  GetUserPolicyCommand,
  IAMClient,
  ListAccessKeysCommand,
  ListAttachedUserPoliciesCommand,
  ListServiceSpecificCredentialsCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAccessKeyCommand,
  UpdateServiceSpecificCredentialCommand,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';

type Status = 'Active' | 'Inactive';

export interface FakeUser {
  path?: string;
  tags?: Record<string, string>;
  keys?: Record<string, Status>;
  loginProfile?: boolean;
  inline?: Record<string, string>;
  attached?: string[];
  serviceCredentials?: Record<string, Status>;
}

export interface FakeRole {
  path?: string;
  tags?: Record<string, string>;
  inline?: Record<string, string>;
}

/** The IAM writes the executor may make (recorded in `writes`; StopInstances is recorded when it stops something). */
export const WRITES = ['UpdateAccessKey', 'PutUserPolicy', 'AttachUserPolicy', 'DeleteLoginProfile', 'PutRolePolicy', 'UpdateServiceSpecificCredential'];

export class FakeAccount {
  readonly iamMock = mockClient(IAMClient);
  readonly ec2Mock = mockClient(EC2Client);
  readonly users = new Map<string, Required<Pick<FakeUser, 'keys' | 'inline' | 'attached' | 'serviceCredentials'>> & FakeUser>();
  readonly roles = new Map<string, Required<Pick<FakeRole, 'inline'>> & FakeRole>();
  /** `region instanceId` -> state. */
  readonly instances = new Map<string, string>();
  /** Operation name -> the error it throws, `times` more times. */
  readonly faults = new Map<string, { error: Error; times: number }>();
  /** Every write, in order: `Operation target`. */
  readonly writes: string[] = [];

  constructor(users: Record<string, FakeUser> = {}, roles: Record<string, FakeRole> = {}) {
    for (const [name, u] of Object.entries(users)) this.users.set(name, { keys: {}, inline: {}, attached: [], serviceCredentials: {}, ...u });
    for (const [name, r] of Object.entries(roles)) this.roles.set(name, { inline: {}, ...r });
    this.install();
  }

  fail(operation: string, error: Error, times = Number.POSITIVE_INFINITY): void {
    this.faults.set(operation, { error, times });
  }

  restore(): void {
    this.iamMock.restore();
    this.ec2Mock.restore();
  }

  private user(name: unknown) {
    const u = this.users.get(String(name));
    if (!u) throw new NoSuchEntityException({ message: `The user with name ${String(name)} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    return u;
  }

  private role(name: unknown) {
    const r = this.roles.get(String(name));
    if (!r) throw new NoSuchEntityException({ message: `The role with name ${String(name)} cannot be found.`, $metadata: { httpStatusCode: 404 } });
    return r;
  }

  /** Runs `op` unless a fault is set for it; a write is recorded once it succeeds. */
  private handle<I>(operation: string, body: (input: I) => unknown) {
    return (input: I) => {
      const fault = this.faults.get(operation);
      if (fault && fault.times > 0) {
        fault.times -= 1;
        throw fault.error;
      }
      const out = body(input);
      if (WRITES.includes(operation)) this.writes.push(`${operation} ${target(input as Record<string, unknown>)}`);
      return out ?? {};
    };
  }

  private install(): void {
    const iam = this.iamMock;
    const tags = (t?: Record<string, string>) => (t ? Object.entries(t).map(([Key, Value]) => ({ Key, Value })) : undefined);
    const inlineDoc = (policies: Record<string, string>, name: unknown, owner: string) => {
      const doc = policies[String(name)];
      if (doc === undefined) throw new NoSuchEntityException({ message: `The ${owner} policy with name ${String(name)} cannot be found.`, $metadata: { httpStatusCode: 404 } });
      return { PolicyName: String(name), PolicyDocument: encodeURIComponent(doc) }; // IAM returns documents URL-encoded
    };
    iam.on(GetUserCommand).callsFake(this.handle('GetUser', (i: { UserName: string }) => {
      const u = this.user(i.UserName);
      return { User: { UserName: i.UserName, Path: u.path ?? '/', Tags: tags(u.tags) } };
    }));
    iam.on(GetRoleCommand).callsFake(this.handle('GetRole', (i: { RoleName: string }) => {
      const r = this.role(i.RoleName);
      return { Role: { RoleName: i.RoleName, Path: r.path ?? '/', Tags: tags(r.tags) } };
    }));
    iam.on(ListAccessKeysCommand).callsFake(this.handle('ListAccessKeys', (i: { UserName: string }) => ({
      AccessKeyMetadata: Object.entries(this.user(i.UserName).keys).map(([AccessKeyId, Status]) => ({ UserName: i.UserName, AccessKeyId, Status })),
    })));
    iam.on(UpdateAccessKeyCommand).callsFake(this.handle('UpdateAccessKey', (i: { UserName: string; AccessKeyId: string; Status: Status }) => {
      const u = this.user(i.UserName);
      if (!(i.AccessKeyId in u.keys)) throw new NoSuchEntityException({ message: `The Access Key with id ${i.AccessKeyId} cannot be found.`, $metadata: { httpStatusCode: 404 } });
      u.keys[i.AccessKeyId] = i.Status;
    }));
    iam.on(GetUserPolicyCommand).callsFake(this.handle('GetUserPolicy', (i: { UserName: string; PolicyName: string }) => inlineDoc(this.user(i.UserName).inline, i.PolicyName, 'user')));
    iam.on(PutUserPolicyCommand).callsFake(this.handle('PutUserPolicy', (i: { UserName: string; PolicyName: string; PolicyDocument: string }) => {
      this.user(i.UserName).inline[i.PolicyName] = i.PolicyDocument;
    }));
    iam.on(ListAttachedUserPoliciesCommand).callsFake(this.handle('ListAttachedUserPolicies', (i: { UserName: string }) => ({
      AttachedPolicies: this.user(i.UserName).attached.map((PolicyArn) => ({ PolicyArn, PolicyName: PolicyArn.split('/').pop() })),
      IsTruncated: false,
    })));
    iam.on(AttachUserPolicyCommand).callsFake(this.handle('AttachUserPolicy', (i: { UserName: string; PolicyArn: string }) => {
      const u = this.user(i.UserName);
      if (!u.attached.includes(i.PolicyArn)) u.attached.push(i.PolicyArn);
    }));
    iam.on(DeleteLoginProfileCommand).callsFake(this.handle('DeleteLoginProfile', (i: { UserName: string }) => {
      const u = this.user(i.UserName);
      if (!u.loginProfile) throw new NoSuchEntityException({ message: `Login Profile for User ${i.UserName} cannot be found.`, $metadata: { httpStatusCode: 404 } });
      u.loginProfile = false;
    }));
    iam.on(GetRolePolicyCommand).callsFake(this.handle('GetRolePolicy', (i: { RoleName: string; PolicyName: string }) => inlineDoc(this.role(i.RoleName).inline, i.PolicyName, 'role')));
    iam.on(PutRolePolicyCommand).callsFake(this.handle('PutRolePolicy', (i: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
      const r = this.role(i.RoleName);
      if (r.path?.startsWith('/aws-service-role/')) throw new Error('the fake refuses: a service-linked role must never be changed');
      r.inline[i.PolicyName] = i.PolicyDocument;
    }));
    iam.on(ListServiceSpecificCredentialsCommand).callsFake(this.handle('ListServiceSpecificCredentials', (i: { UserName: string }) => ({
      ServiceSpecificCredentials: Object.entries(this.user(i.UserName).serviceCredentials).map(([ServiceSpecificCredentialId, Status]) => ({ ServiceSpecificCredentialId, Status, UserName: i.UserName, ServiceName: 'bedrock.amazonaws.com' })),
    })));
    iam.on(UpdateServiceSpecificCredentialCommand).callsFake(this.handle('UpdateServiceSpecificCredential', (i: { UserName: string; ServiceSpecificCredentialId: string; Status: Status }) => {
      this.user(i.UserName).serviceCredentials[i.ServiceSpecificCredentialId] = i.Status;
    }));
    this.ec2Mock.on(StopInstancesCommand).callsFake(async (input: { InstanceIds: string[] }, getClient) => {
      const region = await getClient().config.region();
      return this.handle('StopInstances', (i: { InstanceIds: string[] }) => {
        const key = `${region} ${i.InstanceIds[0]}`;
        const was = this.instances.get(key);
        if (!was) throw Object.assign(new Error(`The instance ID '${i.InstanceIds[0]}' does not exist`), { name: 'InvalidInstanceID.NotFound' });
        if (was === 'running') {
          this.instances.set(key, 'stopping');
          this.writes.push(`StopInstances ${key}`);
        }
        return { StoppingInstances: [{ InstanceId: i.InstanceIds[0], PreviousState: { Name: was }, CurrentState: { Name: 'stopping' } }] };
      })({ ...input, region } as { InstanceIds: string[] });
    });
  }
}

function target(input: Record<string, unknown>): string {
  return [input.region, input.UserName, input.RoleName, input.AccessKeyId, input.PolicyName, input.PolicyArn, input.ServiceSpecificCredentialId, ...((input.InstanceIds as string[] | undefined) ?? [])]
    .filter((v) => v !== undefined)
    .join(' ');
}

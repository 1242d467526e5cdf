import { AsyncLocalStorage } from 'node:async_hooks';
import {
  EntityAlreadyExistsException,
  LimitExceededException,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { Scenario } from './scenario';

/** One AWS API call the responder made, as the simulated account saw it. */
export interface ApiCall {
  readonly service: string;
  readonly operation: string;
  /** The Lambda invocation that made it (state name or `dispatcher`). */
  readonly invocation?: string;
  /** Milliseconds since the drill started. */
  readonly atMs: number;
  /** The AWS error code answered, if the call failed. */
  readonly error?: string;
}

export interface StartedExecution {
  readonly name: string;
  readonly executionArn: string;
  readonly input: string;
}

export interface PublishedMessage {
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
}

type User = Scenario['users'][number];

/** IAM counts a user's inline policies together: 2,048 characters, white space excluded. */
export const INLINE_USER_POLICY_QUOTA = 2048;
/** Managed policies attached to one user (IAM default quota). */
export const ATTACHED_USER_POLICY_QUOTA = 10;

const invocationContext = new AsyncLocalStorage<string>();

/** Runs `fn` so that every API call it makes is attributed to `invocation`. */
export function inInvocation<T>(invocation: string, fn: () => Promise<T>): Promise<T> {
  return invocationContext.run(invocation, fn);
}

function awsError(code: string, message: string): Error {
  const meta = { httpStatusCode: /Throttl|TooMany|LimitExceeded$|SlowDown/.test(code) ? 400 : /Unavailable|Internal|ServiceFailure/.test(code) ? 500 : 400 };
  const err = new Error(message) as Error & { $fault: string; $metadata: object };
  err.name = code;
  err.$fault = meta.httpStatusCode >= 500 ? 'server' : 'client';
  err.$metadata = meta;
  return err;
}

function noSuchEntity(message: string): Error {
  return new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } });
}

function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/**
 * A stateful AWS account for the drill: the responder's SDK clients talk to it (through
 * aws-sdk-client-mock, see aws-mocks.ts) and it answers as AWS would, including the quotas and
 * error codes that matter (NoSuchEntity, LimitExceeded, ExecutionAlreadyExists) and the faults the
 * scenario injects.
 */
export class SimulatedAccount {
  readonly accountId: string;
  readonly calls: ApiCall[] = [];
  readonly executions = new Map<string, StartedExecution>();
  readonly published: PublishedMessage[] = [];
  private readonly users: User[];
  private readonly roles: Scenario['roles'];
  private readonly managedPolicies = new Map<string, string>();
  private readonly faults: Array<Scenario['faults'][number] & { left: number }>;
  private readonly started = Date.now();

  constructor(
    private readonly scenario: Scenario,
    /** Customer-managed policies that exist before the incident (the stack's quarantine policy). */
    existingPolicyArns: readonly string[] = [],
  ) {
    this.accountId = scenario.accountId;
    this.users = structuredClone(scenario.users);
    this.roles = structuredClone(scenario.roles);
    this.faults = scenario.faults.map((f) => ({ ...f, left: f.times }));
    for (const arn of existingPolicyArns) this.managedPolicies.set(arn, '{}');
  }

  /** Answers one API call: records it, applies injected faults, then the simulated behaviour. */
  call(service: string, operation: string, input: Record<string, unknown>): unknown {
    const fault = this.faults.find((f) => f.operation === `${service}:${operation}` && f.left > 0);
    const record = (error?: string) =>
      this.calls.push({ service, operation, invocation: invocationContext.getStore(), atMs: Date.now() - this.started, ...(error ? { error } : {}) });
    if (fault) {
      fault.left -= 1;
      record(fault.error);
      throw awsError(fault.error, `simulated ${fault.error} on ${service}:${operation}`);
    }
    try {
      const out = this.answer(service, operation, input);
      record();
      return out;
    } catch (err) {
      record((err as Error).name);
      throw err;
    }
  }

  private answer(service: string, operation: string, input: Record<string, unknown>): unknown {
    const handler = (this as unknown as Record<string, unknown>)[`${service}_${operation}`];
    if (typeof handler !== 'function') throw new Error(`the simulated account does not implement ${service}:${operation}`);
    return (handler as (i: Record<string, unknown>) => unknown).call(this, input);
  }

  private user(userName: unknown): User {
    const user = this.users.find((u) => u.userName === userName);
    if (!user) throw noSuchEntity(`The user with name ${String(userName)} cannot be found.`);
    return user;
  }

  // ---- IAM ----------------------------------------------------------------------------------

  protected iam_GetAccessKeyLastUsed(input: Record<string, unknown>) {
    const owner = this.users.find((u) => u.accessKeys.some((k) => k.accessKeyId === input.AccessKeyId));
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

  protected iam_CreatePolicy(input: Record<string, unknown>) {
    const path = String(input.Path ?? '/');
    const arn = `arn:aws:iam::${this.accountId}:policy${path}${String(input.PolicyName)}`;
    if (this.managedPolicies.has(arn)) {
      throw new EntityAlreadyExistsException({ message: `A policy called ${String(input.PolicyName)} already exists.`, $metadata: { httpStatusCode: 409 } });
    }
    this.managedPolicies.set(arn, String(input.PolicyDocument));
    return { Policy: { Arn: arn, PolicyName: input.PolicyName, Path: path } };
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

  // ---- Step Functions -------------------------------------------------------------------------

  protected sfn_StartExecution(input: Record<string, unknown>) {
    const name = String(input.name);
    const existing = this.executions.get(name);
    if (existing) {
      if (existing.input === input.input) return { executionArn: existing.executionArn, startDate: new Date() };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${existing.executionArn}'`, $metadata: { httpStatusCode: 400 } });
    }
    const stateMachine = String(input.stateMachineArn).split(':').pop();
    const executionArn = `arn:aws:states:us-east-1:${this.accountId}:execution:${stateMachine}:${name}`;
    this.executions.set(name, { name, executionArn, input: String(input.input) });
    return { executionArn, startDate: new Date() };
  }

  // ---- SNS ------------------------------------------------------------------------------------

  protected sns_Publish(input: Record<string, unknown>) {
    this.published.push({ topicArn: String(input.TopicArn), subject: input.Subject as string | undefined, message: String(input.Message) });
    return { MessageId: `msg-${this.published.length}` };
  }

  // ---- the account, as the drill reports it ------------------------------------------------------

  /** The account in the drill contract's shape ("account" in DESIGN.md). */
  view() {
    return {
      users: this.users.map((u) => ({
        userName: u.userName,
        ...(u.tags ? { tags: u.tags } : {}),
        accessKeys: u.accessKeys.map((k) => ({ ...k })),
        inlinePolicies: structuredClone(u.inlinePolicies),
        attachedPolicyArns: [...u.attachedPolicyArns],
        loginProfile: u.loginProfile,
      })),
      roles: this.roles.map((r) => ({ roleName: r.roleName, inlinePolicies: structuredClone(r.inlinePolicies), attachedPolicyArns: [...r.attachedPolicyArns] })),
      snapshots: [] as Array<Record<string, unknown>>,
      supportCases: this.scenario.supportCases.map((c) => ({ caseId: c.caseId, subject: c.subject, severityCode: c.severityCode, communications: [...c.communications] })),
    };
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { LimitExceededException } from '@aws-sdk/client-iam';
import { ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { INLINE_USER_POLICY_QUOTA, policySize, quarantinePolicyDocument } from '../lambdas/shared/policies';
import { awsError, noSuchEntity } from './aws-errors';
import { AWS_MANAGED_DOCUMENTS, evaluate } from './policy-evaluator';
import { FootholdOperations } from './simulated-footholds';
import { Scenario } from './scenario';
import { simulatedGetProducts } from './simulated-pricing';
import { LOOKUP_EVENTS_PER_SECOND, SimulatedLimits } from './simulated-limits';
import { objectOutput, preconditionHolds, SimulatedObject } from './simulated-objects';

/** One AWS API call the responder made, as the simulated account saw it. */
export interface ApiCall {
  readonly service: string;
  readonly operation: string;
  /** The region of the client that made it. */
  readonly region?: string;
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
  /** The message attributes, as Publish took them (the notice mark: lambdas/dispatcher/notice.ts). */
  readonly attributes?: Record<string, { DataType: string; StringValue?: string }>;
}

type User = Scenario['users'][number];

/** An EBS snapshot the responder created. */
export interface SimulatedSnapshot {
  readonly snapshotId: string;
  readonly volumeId: string;
  readonly instanceId: string;
  readonly region: string;
  readonly tags: Record<string, string>;
}

export { LOOKUP_EVENTS_PER_SECOND };
/**
 * The drill runs faster than AWS: one real millisecond stands for this many simulated ones. The
 * handlers' waits (rate limits, back-off) are divided by it, and the simulated rate limits count
 * in simulated time, so a drill of minutes of CloudTrail paging takes a second or two.
 */
export const DRILL_TIME_SCALE = 50;

export { INLINE_USER_POLICY_QUOTA };
/** Managed policies attached to one user (IAM default quota). */
export const ATTACHED_USER_POLICY_QUOTA = 10;

const invocationContext = new AsyncLocalStorage<string>();

/** Runs `fn` so that every API call it makes is attributed to `invocation`. */
export function inInvocation<T>(invocation: string, fn: () => Promise<T>): Promise<T> {
  return invocationContext.run(invocation, fn);
}

/** The key that signed a scenario record: its own `accessKeyId`, or its userIdentity's (a session's ASIA key). */
function keyOf(e: Record<string, unknown>): unknown {
  return e.accessKeyId ?? (e.userIdentity as { accessKeyId?: unknown } | undefined)?.accessKeyId;
}

/** How LookupEvents reads each lookup attribute off a scenario record (undefined: not filtered). */
const LOOKUP_ATTRIBUTES: Record<string, (e: Record<string, unknown>) => unknown> = {
  AccessKeyId: keyOf,
  Username: (e) => e.userName,
  EventName: (e) => e.eventName,
};

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

/**
 * A stateful AWS account for the drill: the responder's SDK clients talk to it (through
 * aws-sdk-client-mock, see aws-mocks.ts) and it answers as AWS would, including the quotas and
 * error codes that matter (NoSuchEntity, LimitExceeded, ExecutionAlreadyExists) and the faults the
 * scenario injects.
 */
export class SimulatedAccount {
  readonly accountId: string;
  readonly calls: ApiCall[] = [];
  /** The invocations (workflow states) that have called LookupEvents: a late record's `visibleAfter`. */
  private readonly lookedUpBy = new Set<string>();
  readonly executions = new Map<string, StartedExecution>();
  readonly published: PublishedMessage[] = [];
  private readonly users: User[];
  private readonly roles: Scenario['roles'];
  private readonly managedPolicies = new Map<string, string>();
  private readonly faults: Array<Scenario['faults'][number] & { left: number }>;
  private readonly started = Date.now();
  readonly snapshots: SimulatedSnapshot[] = [];
  /** Objects written to S3, by `bucket/key`. */
  readonly objects = new Map<string, SimulatedObject>();
  /** The account-wide rate limits (IAM mutating calls, LookupEvents per region): drill/simulated-limits.ts. */
  readonly limits: SimulatedLimits;
  private readonly supportCases: Array<Scenario['supportCases'][number] & { displayId: string; createdAt: string }>;
  /** Messages posted to the Slack webhook. */
  readonly slackMessages: Array<{ url: string; body: string }> = [];
  /** Secrets Manager: secret id -> value (the drill's Slack webhook). */
  readonly secrets = new Map<string, string>();
  private nextId = 1;
  /** The IAM and EC2 operations of the footholds step (roles, login profiles, service credentials, StopInstances). */
  private readonly footholdOps: FootholdOperations;

  constructor(
    private readonly scenario: Scenario,
    /** Customer-managed policies that exist before the incident (the stack's quarantine policy). */
    existingPolicyArns: readonly string[] = [],
    /** Simulated ms per real (or virtual: drill/virtual-clock.ts) ms. */
    readonly timeScale = DRILL_TIME_SCALE,
  ) {
    this.accountId = scenario.accountId;
    this.limits = new SimulatedLimits(scenario.limits, () => this.simulatedMs());
    this.users = structuredClone(scenario.users);
    this.roles = structuredClone(scenario.roles);
    // Instances change state (StopInstances): the scenario given stays as it was.
    this.scenario = { ...scenario, instances: structuredClone(scenario.instances) };
    this.footholdOps = new FootholdOperations(this.accountId, this.users, this.roles, (region, id) => this.instance(region, id));
    this.faults = scenario.faults.map((f) => ({ ...f, left: f.times }));
    this.supportCases = scenario.supportCases.map((c, i) => ({ ...structuredClone(c), displayId: c.displayId ?? String(9000000000 + i), createdAt: new Date(this.started - 60_000).toISOString() }));
    // The stack's own policies: the quarantine deny (what the simulation evaluates).
    for (const arn of existingPolicyArns) {
      this.managedPolicies.set(arn, JSON.stringify(quarantinePolicyDocument()));
    }
  }

  /** Simulated milliseconds since the drill started (see {@link DRILL_TIME_SCALE}). */
  simulatedMs(): number {
    return (Date.now() - this.started) * this.timeScale;
  }

  /** Answers one API call: records it, applies injected faults, then the simulated behaviour. */
  call(service: string, operation: string, input: Record<string, unknown>, region = 'us-east-1'): unknown {
    const fault = this.faults.find((f) => f.operation === `${service}:${operation}` && f.left > 0);
    const record = (error?: string) =>
      this.calls.push({ service, operation, region, invocation: invocationContext.getStore(), atMs: Date.now() - this.started, ...(error ? { error } : {}) });
    if (fault) {
      fault.left -= 1;
      record(fault.error);
      throw awsError(fault.error, `simulated ${fault.error} on ${service}:${operation}`);
    }
    try {
      this.limits.admit(service, operation, region);
      const out = this.answer(service, operation, input, region);
      record();
      return out;
    } catch (err) {
      record((err as Error).name);
      throw err;
    }
  }

  private answer(service: string, operation: string, input: Record<string, unknown>, region: string): unknown {
    for (const target of [this, this.footholdOps] as unknown as Array<Record<string, unknown>>) {
      const handler = target[`${service}_${operation}`];
      if (typeof handler === 'function') return (handler as (i: Record<string, unknown>, r: string) => unknown).call(target, input, region);
    }
    throw new Error(`the simulated account does not implement ${service}:${operation}`);
  }

  private id(prefix: string): string {
    return `${prefix}-${(this.nextId++).toString(16).padStart(17, '0')}`;
  }

  private user(userName: unknown): User {
    const user = this.users.find((u) => u.userName === userName);
    if (!user) throw noSuchEntity(`The user with name ${String(userName)} cannot be found.`);
    return user;
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

  // ---- CloudTrail (per region) ----------------------------------------------------------------

  protected cloudtrail_LookupEvents(input: Record<string, unknown>, region: string) {
    const [attr] = (input.LookupAttributes as Array<{ AttributeKey: string; AttributeValue: string }> | undefined) ?? [];
    const start = input.StartTime ? new Date(input.StartTime as Date).getTime() : 0;
    const end = input.EndTime ? new Date(input.EndTime as Date).getTime() : Infinity;
    const pageSize = Math.min(Number(input.MaxResults ?? 50), 50);
    const offset = input.NextToken ? Number(input.NextToken) : 0;
    // A record delivered late (`visibleAfter`: a workflow state) is hidden until that state has looked.
    const caller = invocationContext.getStore();
    const visible = (e: Record<string, unknown>) =>
      e.visibleAfter === undefined || (this.lookedUpBy.has(String(e.visibleAfter)) && caller !== e.visibleAfter);
    if (caller) this.lookedUpBy.add(caller);
    const matching = this.scenario.cloudTrail
      .map((e, i) => ({ e: e as Record<string, unknown>, i }))
      .filter(({ e }) => visible(e))
      .filter(({ e }) => (e.region ?? 'us-east-1') === region)
      .filter(({ e }) => {
        const t = Date.parse(String(e.eventTime));
        return t >= start && t <= end;
      })
      .filter(({ e }) => {
        const read = attr && LOOKUP_ATTRIBUTES[attr.AttributeKey];
        return !read || read(e) === attr.AttributeValue;
      })
      .sort((a, b) => Date.parse(String(b.e.eventTime)) - Date.parse(String(a.e.eventTime)));
    const page = matching.slice(offset, offset + pageSize);
    return {
      Events: page.map(({ e, i }) => {
        const eventId = String(e.eventId ?? `sim-event-${i}`);
        const record = {
          eventVersion: '1.09',
          userIdentity: e.userIdentity ?? { type: 'IAMUser', userName: e.userName, accessKeyId: e.accessKeyId, accountId: this.accountId },
          eventTime: e.eventTime, eventSource: e.eventSource, eventName: e.eventName, awsRegion: region,
          sourceIPAddress: e.sourceIPAddress ?? '203.0.113.10', userAgent: e.userAgent ?? 'aws-cli/2.15.0',
          requestParameters: e.requestParameters ?? null, responseElements: e.responseElements ?? null,
          ...(e.errorCode ? { errorCode: e.errorCode } : {}),
          eventID: eventId, readOnly: false, eventType: 'AwsApiCall', recipientAccountId: this.accountId,
        };
        return { EventId: eventId, EventName: e.eventName, EventTime: new Date(String(e.eventTime)), EventSource: e.eventSource, Username: e.userName, AccessKeyId: keyOf(e), CloudTrailEvent: JSON.stringify(record) };
      }),
      ...(offset + pageSize < matching.length ? { NextToken: String(offset + pageSize) } : {}),
    };
  }

  // ---- EC2 (per region) -------------------------------------------------------------------------

  protected ec2_DescribeRegions() {
    return { Regions: this.scenario.regions.map((r) => ({ RegionName: r, Endpoint: `ec2.${r}.amazonaws.com`, OptInStatus: 'opt-in-not-required' })) };
  }

  private instance(region: string, instanceId: unknown) {
    const found = this.scenario.instances.find((i) => i.region === region && i.instanceId === instanceId);
    if (!found) throw awsError('InvalidInstanceID.NotFound', `The instance ID '${String(instanceId)}' does not exist`);
    return found;
  }

  protected ec2_DescribeInstances(input: Record<string, unknown>, region: string) {
    const ids = (input.InstanceIds as string[] | undefined) ?? this.scenario.instances.filter((i) => i.region === region).map((i) => i.instanceId);
    const instances = ids.map((id) => this.instance(region, id));
    return {
      Reservations: instances.map((i) => ({
        Instances: [{
          InstanceId: i.instanceId, State: { Name: i.state }, Placement: { AvailabilityZone: `${region}a`, Tenancy: 'default' },
          ...(i.instanceType ? { InstanceType: i.instanceType } : {}),
          ...(i.launchTime ? { LaunchTime: new Date(i.launchTime) } : {}),
          BlockDeviceMappings: i.volumeIds.map((v) => ({ DeviceName: '/dev/xvda', Ebs: { VolumeId: v } })),
        }],
      })),
    };
  }

  // ---- Price List (us-east-1): drill/simulated-pricing.ts ----------------------------------------

  protected pricing_GetProducts(input: Record<string, unknown>) {
    return simulatedGetProducts(input);
  }

  protected ec2_CreateSnapshots(input: Record<string, unknown>, region: string) {
    const spec = input.InstanceSpecification as { InstanceId: string };
    const instance = this.instance(region, spec.InstanceId);
    if (instance.state === 'terminated') throw awsError('IncorrectState', `The instance '${instance.instanceId}' is not in a state from which it can be snapshotted.`);
    const tagSpecs = (input.TagSpecifications as Array<{ Tags?: Array<{ Key: string; Value: string }> }> | undefined) ?? [];
    const tags = Object.fromEntries(tagSpecs.flatMap((t) => t.Tags ?? []).map((t) => [t.Key, t.Value]));
    const created = instance.volumeIds.map((volumeId) => {
      const snapshot: SimulatedSnapshot = { snapshotId: this.id('snap'), volumeId, instanceId: instance.instanceId, region, tags };
      this.snapshots.push(snapshot);
      return snapshot;
    });
    return {
      Snapshots: created.map((c) => ({ SnapshotId: c.snapshotId, VolumeId: c.volumeId, State: 'pending', OwnerId: this.accountId, Tags: Object.entries(c.tags).map(([Key, Value]) => ({ Key, Value })) })),
    };
  }

  protected ec2_DescribeSnapshots(input: Record<string, unknown>, region: string) {
    const filters = (input.Filters as Array<{ Name: string; Values: string[] }> | undefined) ?? [];
    const found = this.snapshots.filter((sn) => sn.region === region).filter((sn) =>
      filters.every((f) => {
        if (f.Name.startsWith('tag:')) return f.Values.includes(sn.tags[f.Name.slice(4)]);
        if (f.Name === 'volume-id') return f.Values.includes(sn.volumeId);
        throw new Error(`the simulated account does not filter snapshots by ${f.Name}`);
      }),
    );
    return { Snapshots: found.map((sn) => ({ SnapshotId: sn.snapshotId, VolumeId: sn.volumeId, State: 'completed', OwnerId: this.accountId, Tags: Object.entries(sn.tags).map(([Key, Value]) => ({ Key, Value })) })) };
  }

  // ---- S3 ---------------------------------------------------------------------------------------

  protected s3_PutObject(input: Record<string, unknown>) {
    const body = input.Body;
    const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : String(body);
    const key = `${String(input.Bucket)}/${String(input.Key)}`;
    preconditionHolds(this.objects.get(key), input);
    const etag = `"${this.id('etag')}"`;
    this.objects.set(key, { body: text, contentType: input.ContentType as string | undefined, etag });
    return { ETag: etag, VersionId: this.id('v') };
  }

  protected s3_GetObject(input: Record<string, unknown>) {
    return objectOutput(this.objects.get(`${String(input.Bucket)}/${String(input.Key)}`));
  }

  // ---- AWS Support (us-east-1) -------------------------------------------------------------------

  private supportPlanAllows(): void {
    if (this.scenario.supportPlan === 'basic' || this.scenario.supportPlan === 'developer') {
      throw awsError('SubscriptionRequiredException', 'AWS Premium Support Subscription is required to use this service.');
    }
  }

  private supportCase(caseId: unknown) {
    const found = this.supportCases.find((c) => c.caseId === caseId);
    if (!found) throw awsError('CaseIdNotFound', `Case ${String(caseId)} not found`);
    return found;
  }

  protected support_DescribeCases(input: Record<string, unknown>) {
    this.supportPlanAllows();
    const ids = input.caseIdList as string[] | undefined;
    // Like the Support API: an unknown id of the list is an error, an unknown display id finds nothing.
    for (const id of ids ?? []) this.supportCase(id);
    const after = input.afterTime ? Date.parse(String(input.afterTime)) : 0;
    const cases = this.supportCases
      .filter((c) => !ids || ids.includes(c.caseId))
      .filter((c) => input.displayId === undefined || c.displayId === input.displayId)
      .filter((c) => input.includeResolvedCases || c.status !== 'resolved')
      .filter((c) => Date.parse(c.createdAt) >= after);
    return {
      cases: cases.map((c) => ({
        caseId: c.caseId, displayId: c.displayId, subject: c.subject, status: c.status, severityCode: c.severityCode,
        serviceCode: 'customer-account', categoryCode: 'security', timeCreated: c.createdAt,
        ...(input.includeCommunications === false ? {} : { recentCommunications: { communications: c.communications.map((body) => ({ caseId: c.caseId, body, submittedBy: 'aws' })) } }),
      })),
    };
  }

  protected support_DescribeCommunications(input: Record<string, unknown>) {
    this.supportPlanAllows();
    const c = this.supportCase(input.caseId);
    return { communications: c.communications.map((body) => ({ caseId: c.caseId, body, submittedBy: 'aws' })) };
  }

  protected support_AddCommunicationToCase(input: Record<string, unknown>) {
    this.supportPlanAllows();
    this.supportCase(input.caseId).communications.push(String(input.communicationBody));
    return { result: true };
  }

  protected support_CreateCase(input: Record<string, unknown>) {
    this.supportPlanAllows();
    const caseId = `case-${this.accountId}-sim-${this.supportCases.length + 1}`;
    this.supportCases.push({
      caseId, subject: String(input.subject), status: 'opened', severityCode: String(input.severityCode ?? 'normal'),
      communications: [String(input.communicationBody)], displayId: String(9100000000 + this.supportCases.length), createdAt: new Date().toISOString(),
    });
    return { caseId };
  }

  // ---- Secrets Manager, Slack -------------------------------------------------------------------

  protected secretsmanager_GetSecretValue(input: Record<string, unknown>) {
    const value = this.secrets.get(String(input.SecretId));
    if (value === undefined) throw awsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return { ARN: String(input.SecretId), Name: String(input.SecretId), SecretString: value };
  }

  /** The Slack incoming webhook (not AWS): the drill's HTTP post lands here, faults included. */
  protected slack_PostMessage(input: Record<string, unknown>) {
    this.slackMessages.push({ url: String(input.url), body: String(input.body) });
    return { status: 200, text: 'ok' };
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

  // ---- STS (the dispatcher) ----------------------------------------------------------------------

  /** The account of any key id: this account's for its users' keys, else as encoded in the id. */
  protected sts_GetAccessKeyInfo(input: Record<string, unknown>) {
    const id = String(input.AccessKeyId);
    if (this.users.some((u) => u.accessKeys.some((k) => k.accessKeyId === id))) return { Account: this.accountId };
    const account = accountOfKeyId(id);
    if (!account) throw awsError('InvalidParameterValue', `${id} is not an access key id STS can read`);
    return { Account: account };
  }

  // ---- SNS ------------------------------------------------------------------------------------

  protected sns_Publish(input: Record<string, unknown>) {
    const attributes = input.MessageAttributes as PublishedMessage['attributes'];
    this.published.push({ topicArn: String(input.TopicArn), subject: input.Subject as string | undefined, message: String(input.Message), ...(attributes ? { attributes } : {}) });
    return { MessageId: `msg-${this.published.length}` };
  }

  // ---- the account, as the drill reports it ------------------------------------------------------

  /** The account in the drill contract's shape ("account" in docs/drill.md). */
  view() {
    return {
      users: this.users.map((u) => ({
        userName: u.userName,
        ...(u.path ? { path: u.path } : {}),
        ...(u.tags ? { tags: u.tags } : {}),
        accessKeys: u.accessKeys.map((k) => ({ ...k })),
        inlinePolicies: structuredClone(u.inlinePolicies),
        attachedPolicyArns: [...u.attachedPolicyArns],
        loginProfile: u.loginProfile,
        ...(u.serviceSpecificCredentials.length > 0 ? { serviceSpecificCredentials: structuredClone(u.serviceSpecificCredentials) } : {}),
      })),
      roles: this.roles.map((r) => ({ roleName: r.roleName, ...(r.path ? { path: r.path } : {}), ...(r.tags ? { tags: { ...r.tags } } : {}), inlinePolicies: structuredClone(r.inlinePolicies), attachedPolicyArns: [...r.attachedPolicyArns] })),
      instances: this.scenario.instances.map((i) => ({ region: i.region, instanceId: i.instanceId, state: i.state })),
      snapshots: this.snapshots.map((sn) => ({ ...sn, tags: { ...sn.tags } })),
      supportCases: this.supportCases.map((c) => ({ caseId: c.caseId, subject: c.subject, severityCode: c.severityCode, communications: [...c.communications] })),
    };
  }
}

import { AsyncLocalStorage } from 'node:async_hooks';
import { ExecutionAlreadyExists } from '@aws-sdk/client-sfn';
import { INLINE_USER_POLICY_QUOTA } from '../lambdas/shared/policies';
import { awsError } from './aws-errors';
import { Ec2Operations, SimulatedSnapshot } from './simulated-ec2';
import { FootholdOperations } from './simulated-footholds';
import { IamOperations } from './simulated-iam';
import { RootUserOperations } from './simulated-root';
import { SimulatedCloudTrail } from './simulated-cloudtrail';
import { OperatorOperations } from './simulated-operator';
import { Scenario } from './scenario';
import { toTrailEntry } from './scenario-cloudtrail';
import { simulatedGetProducts } from './simulated-pricing';
import { SimulatedSignals } from './simulated-signals';
import { SupportOperations } from './simulated-support';
import { SimulatedLimits } from './simulated-limits';
import { preconditionHolds, SimulatedObject } from './simulated-objects';

export { accountOfKeyId, ATTACHED_USER_POLICY_QUOTA } from './simulated-iam';
export { LOOKUP_EVENTS_PER_SECOND } from './simulated-cloudtrail';
export type { SimulatedSnapshot } from './simulated-ec2';

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
  /** Organization mode: the role whose session made the call (drill/simulated-sts.ts). */
  readonly role?: string;
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

/**
 * The drill runs faster than AWS: one real millisecond stands for this many simulated ones. The
 * handlers' waits (rate limits, back-off) are divided by it, and the simulated rate limits count
 * in simulated time, so a drill of minutes of CloudTrail paging takes a second or two.
 */
export const DRILL_TIME_SCALE = 50;

export { INLINE_USER_POLICY_QUOTA };

const invocationContext = new AsyncLocalStorage<string>();

/** Runs `fn` so that every API call it makes is attributed to `invocation`. */
export function inInvocation<T>(invocation: string, fn: () => Promise<T>): Promise<T> {
  return invocationContext.run(invocation, fn);
}

/**
 * A stateful AWS account for the drill: the responder's SDK clients talk to it (through
 * aws-sdk-client-mock, see aws-mocks.ts) and it answers as AWS would, including the quotas and
 * error codes that matter (NoSuchEntity, LimitExceeded, ExecutionAlreadyExists) and the faults the
 * scenario injects. Each service's operations live in their own module (simulated-<service>.ts),
 * acting on this account's state.
 */
export class SimulatedAccount {
  readonly accountId: string;
  readonly calls: ApiCall[] = [];
  readonly executions = new Map<string, StartedExecution>();
  readonly published: PublishedMessage[] = [];
  private readonly users: User[];
  private readonly roles: Scenario['roles'];
  private readonly faults: Array<Scenario['faults'][number] & { left: number; passing: number }>;
  private readonly started = Date.now();
  readonly snapshots: SimulatedSnapshot[] = [];
  /** Objects written to S3, by `bucket/key`. */
  readonly objects = new Map<string, SimulatedObject>();
  /** The account-wide rate limits (IAM mutating calls, LookupEvents per region): drill/simulated-limits.ts. */
  readonly limits: SimulatedLimits;
  /** Messages posted to the Slack webhook. */
  readonly slackMessages: Array<{ url: string; body: string }> = [];
  /** Secrets Manager: secret id -> value (the drill's Slack webhook). */
  readonly secrets = new Map<string, string>();
  private nextId = 1;
  /** The event buses the workflow writes to (the completion event). */
  readonly signals: SimulatedSignals;
  /** The operator's command line's operations (restore, the live drill's canary). */
  readonly operatorOps: OperatorOperations;
  private readonly trail: SimulatedCloudTrail;
  private readonly support: SupportOperations;
  /** The operations of each service, by the prefix of their methods (`iam_GetUser`...). */
  private readonly operations: object[];
  /** The root user's keys, as a root session (sts:AssumeRoot) sees and deletes them. */
  readonly rootUser: RootUserOperations;
  /** The root user's ARN: the `role` of a root session's calls (drill/simulated-sts.ts). */
  readonly rootArn: string;

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
    const ec2 = new Ec2Operations(scenario.regions, this.accountId, this.scenario.instances, this.snapshots, (prefix) => this.id(prefix));
    this.operatorOps = new OperatorOperations(this.accountId, this.users, this.objects, this.executions);
    this.faults = scenario.faults.map((f) => ({ ...f, left: f.times, passing: f.after }));
    this.signals = new SimulatedSignals(this.accountId);
    this.support = new SupportOperations(this.accountId, scenario, this.started);
    this.trail = new SimulatedCloudTrail(scenario.cloudTrail.map((e, i) => toTrailEntry(e, i, this.accountId)));
    this.rootUser = new RootUserOperations(structuredClone(scenario.rootAccessKeys));
    this.rootArn = `arn:aws:iam::${this.accountId}:root`;
    this.operations = [
      this,
      new IamOperations(this.accountId, this.users, this.roles, existingPolicyArns),
      ec2,
      this.support,
      // The IAM and EC2 operations of the footholds step (roles, login profiles, service credentials, StopInstances).
      new FootholdOperations(this.accountId, this.users, this.roles, (region, id) => ec2.instance(region, id)),
      this.signals,
      this.operatorOps,
    ];
  }

  /** Simulated milliseconds that passed without real time: the workflow's Retry waits the drill skipped. */
  private skippedMs = 0;

  /** Simulated milliseconds since the drill started (see {@link DRILL_TIME_SCALE}), skipped waits included. */
  simulatedMs(): number {
    return (Date.now() - this.started) * this.timeScale + this.skippedMs;
  }

  /**
   * Moves the simulated clock on by a wait the drill skipped (a workflow Retry's, drill/retry-waits.ts),
   * so that the rate limits refill as they would have during it. The clock is the account's: waits
   * of concurrent branches add up here where in AWS they would overlap (more lenient, never stricter).
   */
  skip(ms: number): void {
    if (ms > 0) this.skippedMs += ms;
  }

  /** More simulated operations (`<service>_<Operation>` methods): organization mode's STS. */
  readonly extensions: object[] = [];
  /** Organization mode: who may call what (the role of `caller`'s session, or AccessDenied). */
  gate?: (service: string, operation: string, caller: string | undefined) => string | undefined;

  /** Answers one API call: records it, applies injected faults, then the simulated behaviour. */
  call(service: string, operation: string, input: Record<string, unknown>, region = 'us-east-1', caller?: string): unknown {
    const fault = this.faultOf(`${service}:${operation}`);
    let role: string | undefined;
    const record = (error?: string) =>
      this.calls.push({ service, operation, region, invocation: invocationContext.getStore(), atMs: Date.now() - this.started, ...(role ? { role } : {}), ...(error ? { error } : {}) });
    if (fault) {
      fault.left -= 1;
      record(fault.error);
      throw awsError(fault.error, `simulated ${fault.error} on ${service}:${operation}`);
    }
    try {
      role = this.gate?.(service, operation, caller);
      this.limits.admit(service, operation, region);
      // A root session's calls act on the root user only (drill/simulated-root.ts).
      const out = this.answer(service, operation, input, region, role === this.rootArn ? [this.rootUser] : [...this.operations, ...this.extensions]);
      record();
      return out;
    } catch (err) {
      record((err as Error).name);
      throw err;
    }
  }

  /** The injected fault this call of `operation` answers, if any (one with `after` lets that many calls through first). */
  private faultOf(operation: string) {
    const fault = this.faults.find((f) => f.operation === operation && f.left > 0);
    if (fault && fault.passing > 0) {
      fault.passing -= 1;
      return undefined;
    }
    return fault;
  }

  private answer(service: string, operation: string, input: Record<string, unknown>, region: string, targets: object[]): unknown {
    for (const target of targets as Array<Record<string, unknown>>) {
      const handler = target[`${service}_${operation}`];
      if (typeof handler === 'function') return (handler as (i: Record<string, unknown>, r: string) => unknown).call(target, input, region);
    }
    throw new Error(`the simulated account does not implement ${service}:${operation}`);
  }

  private id(prefix: string): string {
    return `${prefix}-${(this.nextId++).toString(16).padStart(17, '0')}`;
  }

  // ---- CloudTrail (per region): drill/simulated-cloudtrail.ts ---------------------------------

  /** What LookupEvents will never return of the scenario's records, and why (the drill says so once). */
  trailNotes(lookbackDays?: number): string[] {
    const since = lookbackDays === undefined ? undefined : { ms: Date.now() - lookbackDays * 86_400_000, lookbackDays };
    return this.trail.unseen(this.scenario.regions, since);
  }

  protected cloudtrail_LookupEvents(input: Record<string, unknown>, region: string) {
    return this.trail.lookupEvents(input, region, invocationContext.getStore());
  }

  // ---- Price List (us-east-1): drill/simulated-pricing.ts ----------------------------------------

  protected pricing_GetProducts(input: Record<string, unknown>) {
    return simulatedGetProducts(input);
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
    // The execution is in the state machine's account (organization mode: the central one, not the scenario's).
    const [, , , , account = this.accountId, , stateMachine] = String(input.stateMachineArn).split(':');
    const executionArn = `arn:aws:states:us-east-1:${account}:execution:${stateMachine}:${name}`;
    this.executions.set(name, { name, executionArn, input: String(input.input) });
    return { executionArn, startDate: new Date() };
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
      supportCases: this.support.supportCases.map((c) => ({ caseId: c.caseId, subject: c.subject, severityCode: c.severityCode, communications: [...c.communications] })),
      // Only for a scenario that gives the root user keys: then also once they are all deleted.
      ...(this.scenario.rootAccessKeys.length > 0 ? { rootAccessKeys: this.rootUser.keys.map((k) => ({ ...k })) } : {}),
    };
  }
}
import { MEMBER_ROLE_NAME } from '../lambdas/shared/accounts';
import { awsError } from './aws-errors';
import { DELETE_ROOT_CREDENTIALS_ACTIONS } from './simulated-root';
import { matchingRules, RulePattern } from './rules';
import type { SimulatedAccount } from './simulated-account';

/**
 * Organization mode in the drill: the scenario's account is a member account; the responder runs
 * in a central account of its own ({@link DRILL_CENTRAL_ACCOUNT_ID}). The simulated STS answers
 * `AssumeRole` of the member role in the member account only (anything else is AccessDenied, as
 * IAM answers for an account outside the organization, where the central roles' `aws:ResourceOrgID`
 * condition refuses it, or one without the member stack), and the simulated account takes the
 * member's IAM, CloudTrail, EC2 and Support calls only through a session of that role: a Lambda
 * that used its own credentials there would be refused, as AWS would refuse it.
 *
 * Centralized root access: `AssumeRoot` of the member account (TargetPrincipal its id), by the
 * central Lambdas' own credentials, with one of AWS's root task policies and at most 900 seconds,
 * gives a root session; its IAM calls act on the root user only (drill/simulated-root.ts) and only
 * within the task policy (`IAMDeleteRootUserCredentials`: no UpdateAccessKey). Any other target
 * (the central account, an account outside the organization) is AccessDenied. A refusal of
 * AssumeRoot itself (centralized root access not enabled...) is a scenario fault `sts:AssumeRoot`.
 */

/** The central (security) account of the drill's organization mode. */
export const DRILL_CENTRAL_ACCOUNT_ID = '999988887777';
/**
 * The role of the member account the drill's operator assumes to restore there (`restore
 * --member-role`): an operator's own role, not the responder's member role.
 */
export const DRILL_OPERATOR_ROLE_NAME = 'SecurityOperator';
/** Another central account, for a scenario whose own account is {@link DRILL_CENTRAL_ACCOUNT_ID}. */
const SPARE_CENTRAL_ACCOUNT_ID = '999988886666';

/** Services whose calls act in the account of the incident (the member account). */
const MEMBER_SERVICES = new Set(['iam', 'cloudtrail', 'ec2', 'support']);
/** Services of the central account (its workflow, topic, bucket, secret; the public price list). */
const CENTRAL_SERVICES = new Set(['sfn', 'sns', 's3', 'secretsmanager', 'pricing', 'slack']);

/** The root task policies AssumeRoot accepts (the IAM User Guide's list). */
const ROOT_TASK_POLICIES = ['IAMAuditRootUserCredentials', 'IAMCreateRootUserPassword', 'IAMDeleteRootUserCredentials', 'S3UnlockBucketPolicy', 'SQSUnlockQueuePolicy'];
/** The IAM actions each task policy allows (only the one the responder uses is simulated). */
const TASK_POLICY_ACTIONS: Readonly<Record<string, ReadonlySet<string>>> = { IAMDeleteRootUserCredentials: DELETE_ROOT_CREDENTIALS_ACTIONS };

/** One root session the simulated STS granted (sts:AssumeRoot). */
export interface RootSession {
  readonly targetPrincipal: string;
  readonly taskPolicyArn: string;
  readonly durationSeconds: number;
  readonly accessKeyId: string;
}

/** One role assumption the simulated STS granted. */
export interface Assumption {
  readonly roleArn: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
}

export class SimulatedOrganization {
  readonly centralAccountId: string;
  readonly memberRoleArn: string;
  readonly assumptions: Assumption[] = [];
  /** Every root session (sts:AssumeRoot) granted. */
  readonly rootSessions: RootSession[] = [];
  /** Session key id -> the role it is a session of (a root session: the root user's ARN). */
  private readonly sessions = new Map<string, string>();
  /** Root session key id -> the task policy that limits it. */
  private readonly taskPolicies = new Map<string, string>();
  private readonly rootArn: string;

  constructor(
    readonly organizationId: string,
    readonly memberAccountId: string,
  ) {
    this.centralAccountId = memberAccountId === DRILL_CENTRAL_ACCOUNT_ID ? SPARE_CENTRAL_ACCOUNT_ID : DRILL_CENTRAL_ACCOUNT_ID;
    this.memberRoleArn = `arn:aws:iam::${memberAccountId}:role/${MEMBER_ROLE_NAME}`;
    this.rootArn = `arn:aws:iam::${memberAccountId}:root`;
  }

  /** Connects to the simulated (member) account: its STS answers AssumeRole, and its calls are checked. */
  attach(account: SimulatedAccount): void {
    account.extensions.push(this);
    account.gate = (service, operation, caller) => this.gate(service, operation, caller);
  }

  /**
   * Who may make this call: the member's services only through a member role session (the role
   * it is returned), the central ones only with the Lambda's own credentials.
   */
  gate(service: string, operation: string, caller: string | undefined): string | undefined {
    const role = caller === undefined ? undefined : this.sessions.get(caller);
    if (MEMBER_SERVICES.has(service) && !role) {
      throw awsError('AccessDenied', `simulated: ${service}:${operation} in member account ${this.memberAccountId} with credentials of the central account ${this.centralAccountId} (${caller ?? 'the Lambda role'}): only a session of ${this.memberRoleArn} may act there`);
    }
    if (CENTRAL_SERVICES.has(service) && role) {
      throw awsError('AccessDenied', `simulated: ${service}:${operation} with a session of ${role}: the member role may not use the central account's resources`);
    }
    if (service === 'sts' && operation === 'AssumeRoot' && role) {
      throw awsError('AccessDenied', `simulated: sts:AssumeRoot with a session of ${role}: only the management account or the delegated administrator for IAM may call it`);
    }
    const task = caller === undefined ? undefined : this.taskPolicies.get(caller);
    if (task && !(service === 'iam' && TASK_POLICY_ACTIONS[task]?.has(operation))) {
      throw awsError('AccessDenied', `simulated: ${service}:${operation} with a root session of ${this.memberAccountId}: not allowed by its task policy ${task}`);
    }
    return role;
  }

  /** STS AssumeRole: the member role, in the member account, by the central Lambdas; and the operator's role there ({@link DRILL_OPERATOR_ROLE_NAME}). */
  protected sts_AssumeRole(input: Record<string, unknown>) {
    const roleArn = String(input.RoleArn);
    const sessionName = String(input.RoleSessionName);
    if (roleArn !== this.memberRoleArn && roleArn !== `arn:aws:iam::${this.memberAccountId}:role/${DRILL_OPERATOR_ROLE_NAME}`) {
      throw awsError('AccessDenied', `User: arn:aws:sts::${this.centralAccountId}:assumed-role/responder is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
    }
    const accessKeyId = `ASIASIMULATEDSESS${String(this.assumptions.length + 1).padStart(3, '0')}`;
    this.sessions.set(accessKeyId, roleArn);
    this.assumptions.push({ roleArn, sessionName, accessKeyId });
    return {
      Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: 'simulated', SessionToken: 'simulated', Expiration: new Date(Date.now() + 3_600_000) },
      AssumedRoleUser: { Arn: `arn:aws:sts::${this.memberAccountId}:assumed-role/${roleArn.split('/').pop()}/${sessionName}`, AssumedRoleId: `AROASIMULATED:${sessionName}` },
    };
  }

  /** STS AssumeRoot: a root session in the member account, limited to a root task policy. */
  protected sts_AssumeRoot(input: Record<string, unknown>) {
    const target = String(input.TargetPrincipal);
    const taskPolicyArn = String((input.TaskPolicyArn as { arn?: unknown } | undefined)?.arn);
    const durationSeconds = input.DurationSeconds === undefined ? 900 : Number(input.DurationSeconds);
    const task = /^arn:aws:iam::aws:policy\/root-task\/(\w+)$/.exec(taskPolicyArn)?.[1];
    if (!task || !ROOT_TASK_POLICIES.includes(task)) throw awsError('ValidationError', `TaskPolicyArn ${taskPolicyArn} is not a root task policy`);
    if (!(durationSeconds >= 0 && durationSeconds <= 900)) throw awsError('ValidationError', `DurationSeconds ${durationSeconds} is more than the 900 seconds a root session may last`);
    if (target !== this.memberAccountId) {
      throw awsError('AccessDenied', `User: arn:aws:sts::${this.centralAccountId}:assumed-role/responder is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::${target}:root`);
    }
    const accessKeyId = `ASIASIMULATEDROOT${String(this.rootSessions.length + 1).padStart(3, '0')}`;
    this.sessions.set(accessKeyId, this.rootArn);
    this.taskPolicies.set(accessKeyId, task);
    this.rootSessions.push({ targetPrincipal: target, taskPolicyArn, durationSeconds, accessKeyId });
    return { Credentials: { AccessKeyId: accessKeyId, SecretAccessKey: 'simulated', SessionToken: 'simulated', Expiration: new Date(Date.now() + durationSeconds * 1000) } };
  }

  /**
   * The rules an event meets on its way: the member stack's rules in the member account (us-east-1),
   * then, when one forwards it, the central bus's. None when the member account would not forward it.
   * `onCentralBus`: the event is put on the central bus as it is (by any principal of the
   * organization, e.g. a rule a member added that forwards another account's events), so only the
   * central rules see it. An event of the central account itself (a report by hand a reporter puts
   * on the report bus there) happens in the central account: only the central rules see it.
   */
  route(rules: readonly RulePattern[], event: unknown, onCentralBus = false): string[] {
    const central = onCentralBus || (event as { account?: unknown } | null)?.account === this.centralAccountId;
    return central ? this.centralRoute(rules, event) : this.memberRoute(rules, event);
  }

  private memberRoute(rules: readonly RulePattern[], event: unknown): string[] {
    const forwarded = matchingRules(rules.filter((r) => r.member), event, { accountId: this.memberAccountId });
    const central = forwarded.length === 0 ? [] : this.centralRoute(rules, event);
    return central.length === 0 ? [] : [...forwarded, ...central];
  }

  private centralRoute(rules: readonly RulePattern[], event: unknown): string[] {
    return matchingRules(rules.filter((r) => !r.member), event, { accountId: this.centralAccountId });
  }
}

type TemplateResource = { Type: string; Condition?: string; Properties?: Record<string, unknown> };

/** The member stack's us-east-1 rules, read out of the StackSet of a synthesized central template. */
export function memberRulesOf(template: { Resources?: Record<string, TemplateResource> }): RulePattern[] {
  return Object.values(template.Resources ?? {})
    .filter((r) => r.Type === 'AWS::CloudFormation::StackSet' && typeof r.Properties?.TemplateBody === 'string')
    .flatMap((r) => Object.values((JSON.parse(r.Properties!.TemplateBody as string) as { Resources: Record<string, TemplateResource> }).Resources))
    .filter((r) => r.Type === 'AWS::Events::Rule' && r.Condition === 'InHomeRegion')
    .map((r) => ({
      name: `member/${String(r.Properties!.Description).replace(/^exposed-key-responder: /, '')}`,
      pattern: r.Properties!.EventPattern as Record<string, unknown>,
      member: true,
    }));
}

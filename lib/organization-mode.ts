import { Fn, Stack } from 'aws-cdk-lib';
import { CfnStackSet } from 'aws-cdk-lib/aws-cloudformation';
import { EventBus, IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MEMBER_ROLE_NAME, MEMBER_STACK_SET_NAME } from '../lambdas/shared/accounts';
import { OrganizationConfig } from './config-organization';
import { DetectionRuleName, detectionRules } from './detection-rules';
import { alarmInAlarmPattern, MEMBER_FORWARDING_ALARM_NAME } from './member-forwarding';
import { HEALTH_BACKUP_REGION, MEMBER_HOME_REGION, MEMBER_PARAMETERS, memberTemplate, validatesTemplates } from './member-stack';
import { acknowledge, wildcardResourceFinding } from './nag';
import { ResponderFunction } from './responder-function';


export interface OrganizationModeProps {
  /** The organization and the units whose accounts get the member stack. */
  readonly organization: OrganizationConfig;
  /**
   * The Lambdas that act in the account an incident is about (dispatcher, contain, verify,
   * investigate, footholds, evidence, support): each may assume the member role, in accounts of
   * the organization only, and its role is trusted by the member role. (They are told the role's
   * name, MEMBER_ROLE_NAME, and the responder's own account, ACCOUNT_ID, by the environment
   * table: lambdas/shared/environment.ts ORGANIZATION_VARIABLES.)
   */
  readonly workers: readonly ResponderFunction[];
  /** Where the central bus's rules deliver (the detection rules' target: the dispatcher, retry policy, dead-letter queue). */
  readonly ruleTarget: IRuleTarget;
  /**
   * The central dead-letter queue (whose alarm emails people): a member's forwarding dead-letter
   * alarm, forwarded to the central bus, is put there.
   */
  readonly deadLetterQueue: IQueue;
  /** `protectedUsers` entries, denied to the member role too. */
  readonly protectedUsers: readonly string[];
  /** `protectedRoles` entries, denied to the member role too. */
  readonly protectedRoles: readonly string[];
  /**
   * Whether the member role may stop the instances the key launched.
   * @default false
   */
  readonly stopLaunchedInstances?: boolean;
}

/**
 * Organization mode, in the central (security) account:
 *
 * - the central event bus, whose policy lets principals of the organization only
 *   (`aws:PrincipalOrgID`) put events, with the detection rules (every pattern, any account: the
 *   bus is the gate) delivering to the dispatcher like the default bus's rules, and a rule putting
 *   a member's forwarding dead-letter alarm (lib/member-forwarding.ts) in the central dead-letter
 *   queue, whose alarm emails people;
 * - `sts:AssumeRole` of the member role for the worker Lambdas, only on roles of accounts of the
 *   organization (`aws:ResourceOrgID`): an event of an account outside it can never be acted on;
 * - the member stack (lib/member-stack.ts) as a service-managed StackSet, deployed automatically
 *   to every account of the units (and to each account that joins them later), in us-east-1 then
 *   us-west-2, called as the StackSets delegated administrator.
 */
export class OrganizationMode extends Construct {
  public readonly eventBus: EventBus;
  public readonly rules: Partial<Record<DetectionRuleName, Rule>>;
  /** Members' forwarding dead-letter alarms (ALARM), to the central dead-letter queue. */
  public readonly memberForwardingAlarms: Rule;
  public readonly stackSet: CfnStackSet;

  constructor(scope: Construct, id: string, props: OrganizationModeProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { organizationId, memberOrganizationalUnits } = props.organization;

    this.eventBus = new EventBus(this, 'CentralBus', {
      description: 'exposed-key-responder: the member accounts\' exposed-key events (organization members only)',
    });
    this.eventBus.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'OrganizationMembersPutEvents',
      principals: [new iam.StarPrincipal()],
      actions: ['events:PutEvents'],
      resources: [this.eventBus.eventBusArn],
      conditions: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
    }));
    this.rules = detectionRules(this, { target: props.ruleTarget, eventBus: this.eventBus });
    this.memberForwardingAlarms = new Rule(this, 'MemberForwardingAlarms', {
      description: 'exposed-key-responder: a member account could not forward an exposed-key event (its dead-letter alarm), to the dead-letter queue',
      eventBus: this.eventBus,
      eventPattern: alarmInAlarmPattern(MEMBER_FORWARDING_ALARM_NAME),
      targets: [new SqsQueue(props.deadLetterQueue)],
    });

    const memberRoles = stack.formatArn({ service: 'iam', region: '', account: '*', resource: 'role', resourceName: MEMBER_ROLE_NAME });
    for (const fn of props.workers) {
      fn.addToRolePolicy(new iam.PolicyStatement({
        sid: 'ActInMemberAccounts',
        actions: ['sts:AssumeRole'],
        resources: [memberRoles],
        conditions: { StringEquals: { 'aws:ResourceOrgID': organizationId } },
      }));
      acknowledge(
        fn.role,
        wildcardResourceFinding(stack, memberRoles),
        `Organization mode: the account of an incident is known only at run time, so this Lambda may assume the member role (${MEMBER_ROLE_NAME}, one fixed name) in any account, and only in accounts of organization ${organizationId} (aws:ResourceOrgID); the role itself trusts only the responder's Lambda roles.`,
      );
    }

    this.stackSet = new CfnStackSet(this, 'MemberStackSet', {
      stackSetName: MEMBER_STACK_SET_NAME,
      description: 'exposed-key-responder member: detection rules to the central bus, and the role the central responder acts through',
      permissionModel: 'SERVICE_MANAGED',
      callAs: 'DELEGATED_ADMIN',
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      capabilities: ['CAPABILITY_NAMED_IAM'],
      managedExecution: { Active: true },
      templateBody: JSON.stringify(memberTemplate({
        organizationId,
        protectedUsers: props.protectedUsers,
        protectedRoles: props.protectedRoles,
        stopLaunchedInstances: props.stopLaunchedInstances,
      }, validatesTemplates(this))),
      parameters: [
        { parameterKey: MEMBER_PARAMETERS.centralEventBusArn, parameterValue: this.eventBus.eventBusArn },
        { parameterKey: MEMBER_PARAMETERS.responderRoleArns, parameterValue: Fn.join(',', props.workers.map((fn) => fn.role.roleArn)) },
      ],
      stackInstancesGroup: [{
        deploymentTargets: { organizationalUnitIds: [...memberOrganizationalUnits] },
        regions: [MEMBER_HOME_REGION, HEALTH_BACKUP_REGION],
      }],
      // The roles are made in us-east-1; the us-west-2 Health rule refers to the forwarder role by name.
      operationPreferences: {
        regionConcurrencyType: 'SEQUENTIAL',
        regionOrder: [MEMBER_HOME_REGION, HEALTH_BACKUP_REGION],
        maxConcurrentPercentage: 25,
        failureTolerancePercentage: 10,
      },
    });
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Aws, BootstraplessSynthesizer, CfnCondition, CfnParameter, CfnResource, Fn, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { MEMBER_QUARANTINE_POLICY_NAME } from '../lambdas/shared/accounts';
import { detectionRules } from './detection-rules';
import { MemberForwarding } from './member-forwarding';
import { MemberResponderRole } from './member-responder-role';
import { protectOwnRoles } from './protected-users';
import { QuarantinePolicy } from './quarantine-policy';

/** Where the member stack's rules, roles and policy live (IAM, STS and Trusted Advisor events reach EventBridge only there). */
export const MEMBER_HOME_REGION = 'us-east-1';
/** AWS Health's backup region for its global events: the member stack adds a Health rule there. */
export const HEALTH_BACKUP_REGION = 'us-west-2';
/** The fixed name of the role the member rules use to put events on the central bus. */
export const MEMBER_FORWARDER_ROLE_NAME = 'exposed-key-responder-forwarder';
/** The member template's parameters, given by the central stack's StackSet. */
export const MEMBER_PARAMETERS = { centralEventBusArn: 'CentralEventBusArn', responderRoleArns: 'ResponderRoleArns' } as const;

export interface MemberStackProps {
  /** The organization: the member role trusts the central Lambda roles only with `aws:PrincipalOrgID` equal to it. */
  readonly organizationId: string;
  /** `protectedUsers` entries, denied to the member role in every member account. */
  readonly protectedUsers: readonly string[];
  /** `protectedRoles` entries, denied to the member role in every member account. */
  readonly protectedRoles: readonly string[];
  /**
   * Whether the member role may stop the instances the key launched.
   * @default false
   */
  readonly stopLaunchedInstances?: boolean;
}

/**
 * What every member account gets (organization mode), deployed by the central stack's StackSet in
 * {@link MEMBER_HOME_REGION} and {@link HEALTH_BACKUP_REGION}; no Lambda and no asset (the
 * synthesizer refuses one):
 *
 * - in us-east-1: the detection rules, for this account's events only, forwarding to the central
 *   event bus (parameter `CentralEventBusArn`) through a fixed-name role allowed only
 *   `events:PutEvents` on that bus; the quarantine policy (fixed name); the member responder role
 *   (lib/member-responder-role.ts), trusted by the central Lambda roles (parameter
 *   `ResponderRoleArns`) with `aws:PrincipalOrgID`;
 * - in us-west-2: the AWS Health rule only (Health's backup region), through the same role;
 * - in each of the two regions, the rules' dead-letter queue and its alarm, whose ALARM is
 *   forwarded to the central bus (lib/member-forwarding.ts).
 *
 * One template for both regions: each resource carries the condition of its region.
 */
export class MemberStack extends Stack {
  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      synthesizer: new BootstraplessSynthesizer(),
      analyticsReporting: false,
      description: 'exposed-key-responder member: forwards exposed-key events to the central responder, and the role it acts through here',
    });
    const busArn = new CfnParameter(this, MEMBER_PARAMETERS.centralEventBusArn, {
      type: 'String',
      description: 'The central responder\'s event bus (ARN): the detection rules put this account\'s events there',
    }).valueAsString;
    const responderRoles = new CfnParameter(this, MEMBER_PARAMETERS.responderRoleArns, {
      type: 'CommaDelimitedList',
      description: 'The central responder\'s Lambda roles (ARNs) that may assume the member role',
    }).valueAsList;
    const inHome = new CfnCondition(this, 'InHomeRegion', { expression: Fn.conditionEquals(Aws.REGION, MEMBER_HOME_REGION) });
    const inBackup = new CfnCondition(this, 'InHealthBackupRegion', { expression: Fn.conditionEquals(Aws.REGION, HEALTH_BACKUP_REGION) });

    const home = new Construct(this, 'Home');
    const forwarder = new iam.Role(home, 'ForwarderRole', {
      roleName: MEMBER_FORWARDER_ROLE_NAME,
      description: 'exposed-key-responder: the detection rules put this account\'s events on the central bus, and nothing else',
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }),
    });
    forwarder.addToPolicy(new iam.PolicyStatement({ sid: 'PutEventsOnCentralBus', actions: ['events:PutEvents'], resources: [busArn] }));
    const homeForwarding = new MemberForwarding(home, 'Forwarding', { centralEventBusArn: busArn, role: forwarder.withoutPolicyUpdates() });
    detectionRules(home, { target: homeForwarding.target, account: Aws.ACCOUNT_ID });
    const quarantinePolicy = new QuarantinePolicy(home, 'QuarantinePolicy', { managedPolicyName: MEMBER_QUARANTINE_POLICY_NAME });
    new MemberResponderRole(home, 'Responder', {
      trustedRoleArns: responderRoles,
      organizationId: props.organizationId,
      quarantinePolicy,
      protectedUsers: props.protectedUsers,
      protectedRoles: props.protectedRoles,
      stopLaunchedInstances: props.stopLaunchedInstances,
    });

    const backup = new Construct(this, 'HealthBackupRegion');
    // The role is global (IAM): made once, in us-east-1, which the StackSet deploys first.
    const forwarderByName = iam.Role.fromRoleName(backup, 'ForwarderRole', MEMBER_FORWARDER_ROLE_NAME, { mutable: false });
    const backupForwarding = new MemberForwarding(backup, 'Forwarding', { centralEventBusArn: busArn, role: forwarderByName });
    detectionRules(backup, { target: backupForwarding.target, account: Aws.ACCOUNT_ID, names: ['HealthRisk'] });

    onlyWhen(home, inHome);
    onlyWhen(backup, inBackup);
    // The member role and the forwarder are the responder's own: never its target in this account.
    protectOwnRoles(this);
  }
}

/**
 * Whether the App `scope` is in validates its templates with CloudFormation's schemas (App prop
 * `builtinCloudFormationValidation`, which the App keeps in a private field): the member template is
 * validated exactly when the central one is.
 */
export function validatesTemplates(scope: IConstruct): boolean {
  const app = App.of(scope) as unknown as { _builtinCloudFormationValidation?: boolean } | undefined;
  return app?._builtinCloudFormationValidation !== false;
}

/** Every CloudFormation resource under `scope` exists only where `condition` holds. */
function onlyWhen(scope: IConstruct, condition: CfnCondition): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof CfnResource) c.cfnOptions.condition = condition;
  }
}

/**
 * The member stack's CloudFormation template, as the StackSet's `TemplateBody`: synthesized in an
 * App of its own, checked by cdk-nag (AwsSolutions: an unacknowledged finding fails, as for the
 * central stack) and, when `validate`, by CDK's built-in CloudFormation validation.
 */
export function memberTemplate(props: MemberStackProps, validate = true): Record<string, unknown> {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk.out-member-'));
  try {
    const app = new App({ outdir, analyticsReporting: false, builtinCloudFormationValidation: validate });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const stack = new MemberStack(app, 'ExposedKeyResponderMember', props);
    return app.synth().getStackArtifact(stack.artifactId).template as Record<string, unknown>;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

import { Annotations, Arn, ArnFormat, CfnOutput, Duration, Stack, StackProps, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { RESPONDER_POLICY_PATH, QUARANTINE_DENIED_ACTIONS } from '../lambdas/shared/policies';
import { LambdaName } from './bundling';
import { isSecretArn, ResponderConfig } from './config';
import { DetectionRules } from './detection-rules';
import { FailureAlarms } from './failure-alarms';
import { IncidentBucket } from './incident-bucket';
import { acknowledge, wildcardActionFinding, wildcardResourceFinding } from './nag';
import { NotificationTopic } from './notification-topic';
import { ResponderFunction } from './responder-function';
import { ResponseWorkflow } from './response-workflow';

/** The construct id of the stack in the app (`cdk deploy ExposedKeyResponder`). */
export const STACK_ID = 'ExposedKeyResponder';
/** IAM, STS and Trusted Advisor events reach EventBridge only here. */
export const STACK_REGION = 'us-east-1';

/** The IAM actions the containment Lambda may perform on a user (and never on a protected one). */
export const CONTAIN_USER_ACTIONS = ['iam:UpdateAccessKey', 'iam:PutUserPolicy', 'iam:AttachUserPolicy'] as const;

/** The AWS Support API actions the support Lambda may call: find the incident's case, open it, add to it. */
export const SUPPORT_CASE_ACTIONS = ['support:DescribeCases', 'support:DescribeCommunications', 'support:CreateCase', 'support:AddCommunicationToCase'] as const;

export interface ExposedKeyResponderStackProps extends StackProps {
  /**
   * What this deployment does: recipients, dry run, protected users, log level and retention,
   * CloudTrail lookback, incident record retention, support case severity, Slack webhook secret.
   */
  readonly config: ResponderConfig;
}

/**
 * The whole responder in one stack, deployed in us-east-1: detection rules, the dispatcher, the
 * response workflow and its Lambdas, the quarantine policy, the incident record bucket, the
 * notification topic and the alarms on the responder's own failures. Each Lambda has its own role
 * with only what its handler calls.
 */
export class ExposedKeyResponderStack extends Stack {
  /** Customer-managed deny of high-risk actions, attached to the exposed key's user. */
  public readonly quarantinePolicy: iam.ManagedPolicy;
  public readonly notifications: NotificationTopic;
  /** Incident records: what the investigation found, the evidence taken, the report. */
  public readonly incidents: IncidentBucket;
  public readonly functions: Readonly<Record<LambdaName, ResponderFunction>>;
  public readonly workflow: ResponseWorkflow;
  public readonly detection: DetectionRules;
  /** Failed, timed-out and aborted executions, dead letters and dispatcher errors, to the notification topic. */
  public readonly alarms: FailureAlarms;
  /** The imported secret holding the Slack webhook URL (readable by the slack Lambda only), when configured. */
  public readonly slackWebhookSecret?: ISecret;

  constructor(scope: Construct, id: string, props: ExposedKeyResponderStackProps) {
    super(scope, id, {
      description: 'exposed-key-responder: contains a leaked AWS access key in seconds (EventBridge rules, dispatcher, Step Functions workflow)',
      ...props,
    });
    const { config } = props;

    if (!Token.isUnresolved(this.region) && this.region !== STACK_REGION) {
      Annotations.of(this).addError(
        `The exposed-key-responder stack must be deployed in ${STACK_REGION}, not ${this.region}: IAM, STS and Trusted Advisor events (CloudTrail quarantine, Trusted Advisor "Exposed Access Keys") reach EventBridge only in ${STACK_REGION}, so its rules would never fire here.`,
      );
    }

    const userArns = this.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: '*' });
    const responderPolicyArns = this.formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: `${RESPONDER_POLICY_PATH.replace(/^\/|\/$/g, '')}/*` });
    const userReason = 'The exposed key belongs to a user known only at run time (from the AWS event): the responder must act on any IAM user of the account.';

    this.quarantinePolicy = new iam.ManagedPolicy(this, 'QuarantinePolicy', {
      description: 'exposed-key-responder: denies high-risk actions to the user of an exposed access key (attached by the responder; detach it when the user is clean)',
      path: RESPONDER_POLICY_PATH,
      statements: [
        new iam.PolicyStatement({
          sid: 'DenyHighRiskActions',
          effect: iam.Effect.DENY,
          actions: [...QUARANTINE_DENIED_ACTIONS],
          resources: ['*'],
        }),
      ],
    });

    this.notifications = new NotificationTopic(this, 'Notifications', { emails: config.notificationEmails });
    this.incidents = new IncidentBucket(this, 'Incidents', { objectLockRetentionDays: config.incidentRetentionDays });

    const common = { logLevel: config.logLevel, logRetention: config.logRetentionDays };
    const dryRun = config.dryRun ? 'true' : 'false';
    const contain = new ResponderFunction(this, 'Contain', {
      ...common,
      lambdaName: 'contain',
      environment: { DRY_RUN: dryRun, QUARANTINE_POLICY_ARN: this.quarantinePolicy.managedPolicyArn },
    });
    const verify = new ResponderFunction(this, 'Verify', {
      ...common,
      lambdaName: 'verify',
      environment: { DRY_RUN: dryRun, QUARANTINE_POLICY_ARN: this.quarantinePolicy.managedPolicyArn },
    });
    const investigate = new ResponderFunction(this, 'Investigate', {
      ...common,
      lambdaName: 'investigate',
      // Pages CloudTrail's event history in every enabled region, at 2 LookupEvents a second.
      timeout: Duration.minutes(5),
      environment: {
        INCIDENT_BUCKET: this.incidents.bucket.bucketName,
        LOOKBACK_DAYS: String(config.lookbackDays),
        DRY_RUN: dryRun,
      },
    });
    const evidence = new ResponderFunction(this, 'Evidence', {
      ...common,
      lambdaName: 'evidence',
      // Describes the instances and starts their snapshots, region by region (CreateSnapshots returns at once).
      timeout: Duration.minutes(2),
      environment: { DRY_RUN: dryRun },
    });
    const report = new ResponderFunction(this, 'Report', {
      ...common,
      lambdaName: 'report',
      environment: { INCIDENT_BUCKET: this.incidents.bucket.bucketName },
    });
    const support = new ResponderFunction(this, 'Support', {
      ...common,
      lambdaName: 'support',
      // Looks for the incident's case (DescribeCases, DescribeCommunications) before opening or updating it.
      timeout: Duration.seconds(60),
      environment: { SUPPORT_SEVERITY: config.supportSeverity, DRY_RUN: dryRun },
    });
    // The webhook URL is a credential: it stays in Secrets Manager and never reaches the template.
    // A name is imported with fromSecretNameV2 (the grant is on `name-??????`: Secrets Manager adds
    // six random characters to every secret's ARN). An ARN is complete (the config refuses a
    // partial one, for which a name does the same): fromSecretCompleteArn grants on that exact
    // secret, where fromSecretPartialArn would add the `-??????` suffix to a suffix already there.
    const webhookSecret = config.slackWebhookSecret;
    if (webhookSecret !== undefined && isSecretArn(webhookSecret) && !Token.isUnresolved(this.region)) {
      const secretRegion = Arn.split(webhookSecret, ArnFormat.COLON_RESOURCE_NAME).region;
      if (secretRegion !== this.region) {
        Annotations.of(this).addError(
          `The Slack webhook secret must be in ${this.region}, where the slack Lambda reads it, not ${secretRegion} (replicate it to ${this.region} and pass the replica's ARN).`,
        );
      }
    }
    this.slackWebhookSecret = webhookSecret === undefined
      ? undefined
      : isSecretArn(webhookSecret)
        ? Secret.fromSecretCompleteArn(this, 'SlackWebhookSecret', webhookSecret)
        : Secret.fromSecretNameV2(this, 'SlackWebhookSecret', webhookSecret);
    const slack = new ResponderFunction(this, 'Slack', {
      ...common,
      lambdaName: 'slack',
      // One secret read and one HTTPS POST to Slack.
      timeout: Duration.seconds(15),
      // Empty when not configured: the Lambda then reports Slack as not configured.
      environment: { SLACK_WEBHOOK_SECRET: this.slackWebhookSecret?.secretArn ?? '' },
    });
    const notify = new ResponderFunction(this, 'Notify', {
      ...common,
      lambdaName: 'notify',
      environment: { TOPIC_ARN: this.notifications.topic.topicArn },
    });

    this.workflow = new ResponseWorkflow(this, 'Workflow', {
      containFunction: contain,
      verifyFunction: verify,
      investigateFunction: investigate,
      evidenceFunction: evidence,
      reportFunction: report,
      notifyFunction: notify,
      supportFunction: support,
      slackFunction: slack,
      logRetention: config.logRetentionDays,
    });

    const dispatcher = new ResponderFunction(this, 'Dispatcher', {
      ...common,
      lambdaName: 'dispatcher',
      // Resolving the quarantined users pages through GetAccountAuthorizationDetails: give it time.
      timeout: Duration.seconds(60),
      environment: {
        STATE_MACHINE_ARN: this.workflow.stateMachine.stateMachineArn,
        PROTECTED_USERS: config.protectedUsers.join(','),
      },
    });
    this.functions = { dispatcher, contain, verify, investigate, evidence, report, support, slack, notify };

    // --- dispatcher: find the key's owner, start one execution per key.
    dispatcher.addToRolePolicy(new iam.PolicyStatement({
      sid: 'FindKeyOwner',
      actions: ['iam:GetAccessKeyLastUsed', 'iam:ListAccessKeys'],
      resources: [userArns],
    }));
    dispatcher.addToRolePolicy(new iam.PolicyStatement({
      sid: 'FindQuarantinedUsers',
      actions: ['iam:GetAccountAuthorizationDetails'],
      resources: ['*'],
    }));
    this.workflow.stateMachine.grantStartExecution(dispatcher);
    acknowledge(dispatcher.role, wildcardResourceFinding(this, userArns), userReason);
    acknowledge(
      dispatcher.role,
      wildcardResourceFinding(this, '*'),
      'iam:GetAccountAuthorizationDetails supports no resource-level permission (its resource must be "*"); it finds the users AWS quarantined when an event names no key.',
    );

    // --- contain: deactivate the key, revoke sessions, attach our quarantine policy. Nothing else.
    contain.addToRolePolicy(new iam.PolicyStatement({
      sid: 'DeactivateKeyRevokeSessions',
      actions: ['iam:UpdateAccessKey', 'iam:PutUserPolicy'],
      resources: [userArns],
    }));
    contain.addToRolePolicy(new iam.PolicyStatement({
      sid: 'AttachQuarantinePolicy',
      actions: ['iam:AttachUserPolicy'],
      resources: [userArns],
      conditions: { ArnEquals: { 'iam:PolicyARN': [this.quarantinePolicy.managedPolicyArn] } },
    }));
    contain.addToRolePolicy(new iam.PolicyStatement({
      sid: 'AttachRevokeSessionsFallbackPolicy',
      actions: ['iam:AttachUserPolicy'],
      resources: [userArns],
      conditions: { ArnLike: { 'iam:PolicyARN': [responderPolicyArns] } },
    }));
    contain.addToRolePolicy(new iam.PolicyStatement({
      sid: 'CreateRevokeSessionsFallbackPolicy',
      actions: ['iam:CreatePolicy'],
      resources: [responderPolicyArns],
    }));
    if (config.protectedUsers.length > 0) {
      // Defence in depth: the dispatcher marks their incidents protected and contain skips them,
      // and even a bug there cannot change them. With and without an IAM path.
      contain.addToRolePolicy(new iam.PolicyStatement({
        sid: 'NeverTouchProtectedUsers',
        effect: iam.Effect.DENY,
        actions: [...CONTAIN_USER_ACTIONS],
        resources: config.protectedUsers.flatMap((name) => [
          this.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: name }),
          this.formatArn({ service: 'iam', region: '', resource: 'user', resourceName: `*/${name}` }),
        ]),
      }));
    }
    acknowledge(contain.role, wildcardResourceFinding(this, userArns), userReason);
    acknowledge(
      contain.role,
      wildcardResourceFinding(this, responderPolicyArns),
      `When a user's inline policies are full, containment creates a revoke-sessions policy named after the incident under the path ${RESPONDER_POLICY_PATH}, and attaches it; the name is known only at run time.`,
    );

    // --- verify: read the user's keys and policies back.
    verify.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadContainment',
      actions: ['iam:ListAccessKeys', 'iam:GetUserPolicy', 'iam:ListAttachedUserPolicies'],
      resources: [userArns],
    }));
    acknowledge(verify.role, wildcardResourceFinding(this, userArns), userReason);

    // --- investigate: read what the key did (CloudTrail, every region) and what its user may do
    // (IAM, simulated), write the findings to the incident bucket. Nothing else is changed.
    const groupArns = this.formatArn({ service: 'iam', region: '', resource: 'group', resourceName: '*' });
    const accountPolicyArns = this.formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: '*' });
    const awsManagedPolicyArns = this.formatArn({ service: 'iam', region: '', account: 'aws', resource: 'policy', resourceName: '*' });
    investigate.addToRolePolicy(new iam.PolicyStatement({
      sid: 'LookupKeyActivity',
      actions: ['cloudtrail:LookupEvents', 'ec2:DescribeRegions'],
      resources: ['*'],
    }));
    investigate.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadUserPermissions',
      actions: [
        'iam:GetUser',
        'iam:ListAttachedUserPolicies',
        'iam:ListUserPolicies',
        'iam:GetUserPolicy',
        'iam:ListGroupsForUser',
        'iam:SimulatePrincipalPolicy',
      ],
      resources: [userArns],
    }));
    investigate.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadGroupPermissions',
      actions: ['iam:ListAttachedGroupPolicies', 'iam:ListGroupPolicies', 'iam:GetGroupPolicy'],
      resources: [groupArns],
    }));
    investigate.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadManagedPolicies',
      actions: ['iam:GetPolicy', 'iam:GetPolicyVersion'],
      resources: [accountPolicyArns, awsManagedPolicyArns],
    }));
    investigate.addToRolePolicy(new iam.PolicyStatement({
      sid: 'SimulateCustomPolicy',
      actions: ['iam:SimulateCustomPolicy'],
      resources: ['*'],
    }));
    this.incidents.grantWriteRecords(investigate);
    acknowledge(
      investigate.role,
      wildcardResourceFinding(this, '*'),
      'cloudtrail:LookupEvents, ec2:DescribeRegions and iam:SimulateCustomPolicy support no resource-level permission (their resource must be "*"); all three only read: the key\'s activity in each region, and what a set of policies allows.',
    );
    acknowledge(investigate.role, wildcardResourceFinding(this, userArns), `${userReason} The investigation only reads the user and simulates its policies.`);
    acknowledge(
      investigate.role,
      wildcardResourceFinding(this, groupArns),
      'The groups of the exposed key\'s user are known only at run time (ListGroupsForUser): the investigation reads the policies of any group of the account, read-only.',
    );
    acknowledge(
      investigate.role,
      wildcardResourceFinding(this, accountPolicyArns),
      'The customer managed policies attached to the user and its groups are known only at run time: the investigation reads any policy of the account and its versions (GetPolicy, GetPolicyVersion), read-only.',
    );
    acknowledge(
      investigate.role,
      wildcardResourceFinding(this, awsManagedPolicyArns),
      'The AWS managed policies (arn:aws:iam::aws:policy/...) attached to the user and its groups are known only at run time: the investigation reads their documents (GetPolicy, GetPolicyVersion), read-only.',
    );

    // --- evidence: snapshot the EBS volumes of the instances the key launched or started, in
    // their regions, tagged at creation. Nothing is stopped, terminated or deleted.
    const instanceArns = this.formatArn({ service: 'ec2', region: '*', resource: 'instance', resourceName: '*' });
    const volumeArns = this.formatArn({ service: 'ec2', region: '*', resource: 'volume', resourceName: '*' });
    // Snapshot ARNs have no account: arn:<partition>:ec2:<region>::snapshot/<id>.
    const snapshotArns = this.formatArn({ service: 'ec2', region: '*', account: '', resource: 'snapshot', resourceName: '*' });
    evidence.addToRolePolicy(new iam.PolicyStatement({
      sid: 'DescribeInstancesAndSnapshots',
      actions: ['ec2:DescribeInstances', 'ec2:DescribeSnapshots'],
      resources: ['*'],
    }));
    evidence.addToRolePolicy(new iam.PolicyStatement({
      sid: 'SnapshotInstanceVolumes',
      actions: ['ec2:CreateSnapshots'],
      resources: [instanceArns, volumeArns, snapshotArns],
    }));
    evidence.addToRolePolicy(new iam.PolicyStatement({
      sid: 'TagSnapshotsAtCreation',
      actions: ['ec2:CreateTags'],
      resources: [snapshotArns],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateSnapshots' } },
    }));
    acknowledge(
      evidence.role,
      wildcardResourceFinding(this, '*'),
      'ec2:DescribeInstances and ec2:DescribeSnapshots support no resource-level permission (their resource must be "*"); they only read.',
    );
    const instanceReason = 'The instances to preserve are the ones the exposed key launched or started, known only at run time and in any region: CreateSnapshots needs the instance and its volumes, which it reads and never changes.';
    acknowledge(evidence.role, wildcardResourceFinding(this, instanceArns), instanceReason);
    acknowledge(evidence.role, wildcardResourceFinding(this, volumeArns), instanceReason);
    acknowledge(
      evidence.role,
      wildcardResourceFinding(this, snapshotArns),
      'A new snapshot\'s id is made by EC2, in the instance\'s region: CreateSnapshots must be allowed on snapshot/* to create any, and CreateTags on it only while creating them (ec2:CreateAction = CreateSnapshots), never on an existing snapshot.',
    );

    // --- report: write the incident report next to the findings.
    this.incidents.grantWriteRecords(report);

    // Both writers: bucket.grantPut on the incidents/ prefix of the incident bucket.
    for (const writer of [investigate, report]) {
      acknowledge(
        writer.role,
        wildcardResourceFinding(this, this.incidents.bucket.arnForObjects(this.incidents.recordsPattern)),
        'Granted by bucket.grantPut on the incident bucket\'s incidents/ prefix only: each record is named after its incident, known only at run time. No read, no delete.',
      );
      acknowledge(
        writer.role,
        wildcardActionFinding('s3:Abort*'),
        'Granted by bucket.grantPut: s3:Abort* is s3:AbortMultipartUpload (abandoning a failed upload of a record), on the incidents/ prefix of the incident bucket only.',
      );
    }

    // --- support: open (or update) the incident's AWS Support case.
    support.addToRolePolicy(new iam.PolicyStatement({
      sid: 'OpenIncidentSupportCase',
      actions: [...SUPPORT_CASE_ACTIONS],
      resources: ['*'],
    }));
    acknowledge(
      support.role,
      wildcardResourceFinding(this, '*'),
      'The AWS Support API supports no resource-level permission (its resource must be "*"); the support Lambda may only describe cases and their communications, open a case and add to one.',
    );

    // --- slack: read the webhook URL from its secret (nothing else may).
    this.slackWebhookSecret?.grantRead(slack);

    // --- notify: publish to the (KMS-encrypted) topic.
    this.notifications.topic.grantPublish(notify);
    acknowledge(
      notify.role,
      wildcardActionFinding('kms:GenerateDataKey*'),
      'Granted by topic.grantPublish on the topic\'s own KMS key only: publishing to an encrypted topic needs kms:GenerateDataKey (the wildcard covers GenerateDataKeyWithoutPlaintext) on that key.',
    );

    // --- workflow: invoke the Lambdas of its definition (versions and aliases included), log, trace.
    const smRole = this.workflow.stateMachine.role;
    for (const fn of this.workflow.invokedFunctions) {
      acknowledge(
        smRole,
        wildcardResourceFinding(this, `${fn.functionArn}:*`),
        `Granted by grantInvoke: the state machine may invoke the ${fn.node.scope?.node.id} Lambda and its versions/aliases (ARN:*), and no other function.`,
      );
    }
    acknowledge(
      smRole,
      wildcardResourceFinding(this, '*'),
      'Step Functions log delivery (logs:CreateLogDelivery, logs:DescribeLogGroups, ...) and X-Ray (xray:PutTraceSegments, ...) support no resource-level permission; CDK grants them on "*" for logging level ALL and tracing.',
    );

    this.detection = new DetectionRules(this, 'DetectionRules', { target: dispatcher });

    // The step Lambdas' errors are retried and caught by the workflow, which then fails: the
    // executions-failed alarm covers them (see FailureAlarmsProps.extraFunctions).
    this.alarms = new FailureAlarms(this, 'FailureAlarms', {
      stateMachine: this.workflow.stateMachine,
      deadLetterQueue: this.detection.deadLetterQueue,
      dispatcher,
      topic: this.notifications.topic,
    });

    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.detection.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'QuarantinePolicyArn', { value: this.quarantinePolicy.managedPolicyArn });
    new CfnOutput(this, 'IncidentBucketName', { value: this.incidents.bucket.bucketName });
  }
}

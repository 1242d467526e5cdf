import { Annotations, Arn, ArnFormat, CfnOutput, Duration, Stack, StackProps, Token } from 'aws-cdk-lib';
import { ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { SubscriptionFilter } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { NOTICE_KIND, NOTICE_KIND_ATTRIBUTE } from '../lambdas/dispatcher/notice';
import { MEMBER_ROLE_NAME } from '../lambdas/shared/accounts';
import { EnvironmentLambda, lambdaEnvironment } from '../lambdas/shared/environment';
import { LambdaName } from './bundling';
import { isSecretArn, ResponderConfig } from './config';
import { grantContainment, grantVerification } from './containment-grants';
import { DetectionRules } from './detection-rules';
import { grantDispatch } from './dispatcher-grants';
import { FailureAlarms } from './failure-alarms';
import { grantFootholds } from './footholds-grants';
import { GuardDutyRule } from './guardduty-rule';
import { IncidentBucket } from './incident-bucket';
import { grantEvidence, grantInvestigation } from './investigation-grants';
import { NotificationTopic } from './notification-topic';
import { MemberRootKeyDeletion } from './member-root-key-deletion';
import { OrganizationMode } from './organization-mode';
import { protectOwnRoles } from './protected-users';
import { QuarantinePolicy } from './quarantine-policy';
import { ReportBus } from './report-bus';
import { ResponderFunction } from './responder-function';
import { ResponseWorkflow } from './response-workflow';
import { ResponseDashboard } from './response-dashboard';
import { grantCompletionEvent, grantSecurityHubFindings } from './signals-grants';
import { TimeToContainAlarm } from './time-to-contain-alarm';
import { grantSupportCases } from './support-grants';

/** The construct id of the stack in the app (`cdk deploy ExposedKeyResponder`). */
export const STACK_ID = 'ExposedKeyResponder';
/** IAM, STS and Trusted Advisor events reach EventBridge only here. */
export const STACK_REGION = 'us-east-1';

export { CONTAIN_USER_ACTIONS } from './containment-grants';

// Every Lambda of the bundles has its row in the environment table, and no other Lambda does.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const EVERY_LAMBDA_HAS_ITS_VARIABLES: Same<LambdaName, EnvironmentLambda> = true;
void EVERY_LAMBDA_HAS_ITS_VARIABLES;

export { SUPPORT_CASE_ACTIONS } from './support-grants';

export interface ExposedKeyResponderStackProps extends StackProps {
  /**
   * What this deployment does: recipients, dry run, protected users, quarantine window,
   * reporters, incident readers, log level, retention and execution data, CloudTrail lookback,
   * incident record retention, support case severity, Slack webhook secret.
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
  public readonly quarantinePolicy: QuarantinePolicy;
  public readonly notifications: NotificationTopic;
  /** Incident records: what the investigation found, the evidence taken, the report. */
  public readonly incidents: IncidentBucket;
  public readonly functions: Readonly<Record<LambdaName, ResponderFunction>>;
  public readonly workflow: ResponseWorkflow;
  public readonly detection: DetectionRules;
  /** Failed, timed-out and aborted executions, dead letters and dispatcher errors, to the notification topic. */
  public readonly alarms: FailureAlarms;
  /** An incident took longer than `timeToContainAlarmSeconds` to contain. */
  public readonly timeToContain: TimeToContainAlarm;
  /** Incidents, time to contain, footholds, executions and every alarm, on one page. */
  public readonly dashboard: ResponseDashboard;
  /** The event bus for reports by hand, when `reporters` are configured. */
  public readonly reportBus?: ReportBus;
  /** Organization mode: the central bus, its rules and the member StackSet, when `organizationId` is configured. */
  public readonly organization?: OrganizationMode;
  /** The imported secret holding the Slack webhook URL (readable by the slack Lambda only), when configured. */
  public readonly slackWebhookSecret?: ISecret;

  constructor(scope: Construct, id: string, props: ExposedKeyResponderStackProps) {
    super(scope, id, {
      description: 'exposed-key-responder: contains a leaked AWS access key in seconds (EventBridge rules, dispatcher, Step Functions workflow)',
      ...props,
    });
    const { config } = props;
    // Its own roles are never the responder's target (a GuardDuty finding about its own session).
    protectOwnRoles(this);

    if (!Token.isUnresolved(this.region) && this.region !== STACK_REGION) {
      Annotations.of(this).addError(
        `The exposed-key-responder stack must be deployed in ${STACK_REGION}, not ${this.region}: IAM, STS and Trusted Advisor events (CloudTrail quarantine, Trusted Advisor "Exposed Access Keys") reach EventBridge only in ${STACK_REGION}, so its rules would never fire here.`,
      );
    }

    this.quarantinePolicy = new QuarantinePolicy(this, 'QuarantinePolicy');

    this.notifications = new NotificationTopic(this, 'Notifications', { emails: config.notificationEmails });
    this.incidents = new IncidentBucket(this, 'Incidents', {
      objectLockRetentionDays: config.incidentRetentionDays,
      readers: config.incidentReaders,
    });

    const common = { logLevel: config.logLevel, logRetention: config.logRetentionDays };
    // What each Lambda's variables carry (lambdas/shared/environment.ts, the table the drill uses
    // too); the state machine's ARN joins once the workflow exists.
    const settings = {
      ...config,
      accountId: this.account,
      topicArn: this.notifications.topic.topicArn,
      incidentBucket: this.incidents.bucket.bucketName,
      quarantinePolicyArn: this.quarantinePolicy.policyArn,
      // Organization mode: the Lambdas that act in an account are told the member role's name.
      memberRoleName: config.organization ? MEMBER_ROLE_NAME : undefined,
      // Organization mode only (context deleteMemberRootKeys): contain deletes a member's root key.
      deleteMemberRootKeys: config.organization?.deleteMemberRootKeys ?? false,
    };
    const contain = new ResponderFunction(this, 'Contain', { ...common, lambdaName: 'contain', environment: lambdaEnvironment('contain', settings) });
    const verify = new ResponderFunction(this, 'Verify', { ...common, lambdaName: 'verify', environment: lambdaEnvironment('verify', settings) });
    const investigate = new ResponderFunction(this, 'Investigate', {
      ...common,
      lambdaName: 'investigate',
      // Pages CloudTrail's event history in every enabled region, at 2 LookupEvents a second.
      timeout: Duration.minutes(5),
      environment: lambdaEnvironment('investigate', settings),
    });
    // Contains what CloudTrail ties to the key (the workflow's ContainFootholds state).
    const footholds = new ResponderFunction(this, 'Footholds', {
      ...common,
      lambdaName: 'footholds',
      // Reads then writes, a few actions at a time, for up to hundreds of footholds.
      timeout: Duration.minutes(2),
      environment: lambdaEnvironment('footholds', settings),
    });
    const evidence = new ResponderFunction(this, 'Evidence', {
      ...common,
      lambdaName: 'evidence',
      // Describes the instances and starts their snapshots, region by region (CreateSnapshots returns at once).
      timeout: Duration.minutes(2),
      environment: lambdaEnvironment('evidence', settings),
    });
    const report = new ResponderFunction(this, 'Report', {
      ...common,
      lambdaName: 'report',
      environment: lambdaEnvironment('report', settings),
    });
    const support = new ResponderFunction(this, 'Support', {
      ...common,
      lambdaName: 'support',
      // Looks for the incident's case (DescribeCases, DescribeCommunications) before opening or updating it.
      timeout: Duration.seconds(60),
      environment: lambdaEnvironment('support', settings),
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
      environment: lambdaEnvironment('slack', { slackWebhookSecret: this.slackWebhookSecret?.secretArn }),
    });
    const notify = new ResponderFunction(this, 'Notify', {
      ...common,
      lambdaName: 'notify',
      environment: lambdaEnvironment('notify', settings),
    });

    // Renders what the workflow tells the outside (the completion event); it calls no AWS API.
    const signals = new ResponderFunction(this, 'Signals', { ...common, lambdaName: 'signals', timeout: Duration.seconds(10), environment: lambdaEnvironment('signals', settings) });

    this.workflow = new ResponseWorkflow(this, 'Workflow', {
      containFunction: contain,
      verifyFunction: verify,
      investigateFunction: investigate,
      footholdsFunction: footholds,
      secondLookMinutes: config.secondLookMinutes,
      evidenceFunction: evidence,
      reportFunction: report,
      notifyFunction: notify,
      supportFunction: support,
      slackFunction: slack,
      signalsFunction: signals,
      logRetention: config.logRetentionDays,
      includeExecutionData: config.logExecutionData,
    });

    const dispatcher = new ResponderFunction(this, 'Dispatcher', {
      ...common,
      lambdaName: 'dispatcher',
      // Resolving the quarantined users pages through GetAccountAuthorizationDetails: give it time.
      timeout: Duration.seconds(60),
      environment: lambdaEnvironment('dispatcher', { ...settings, stateMachineArn: this.workflow.stateMachine.stateMachineArn }),
    });
    this.functions = { dispatcher, contain, verify, investigate, footholds, evidence, report, support, slack, notify, signals };
    grantCompletionEvent(this.workflow.stateMachine);
    if (config.securityHub) grantSecurityHubFindings(this.workflow.stateMachine);

    grantDispatch(dispatcher, {
      stateMachine: this.workflow.stateMachine,
      notifications: this.notifications,
      ...(config.guardDutyMinSeverity !== undefined && { revokeRoleSessions: { protectedRoles: config.protectedRoles } }),
    });
    grantContainment(contain, { quarantinePolicy: this.quarantinePolicy, protectedUsers: config.protectedUsers });
    grantVerification(verify);
    grantFootholds(footholds, {
      quarantinePolicy: this.quarantinePolicy,
      protectedUsers: config.protectedUsers,
      protectedRoles: config.protectedRoles,
      stopLaunchedInstances: config.stopLaunchedInstances,
    });
    grantInvestigation(investigate, this.incidents);
    grantEvidence(evidence);
    this.incidents.grantPutRecords(report);

    // --- support: open (or update) the incident's AWS Support case.
    grantSupportCases(support);

    // --- slack: read the webhook URL from its secret (nothing else may).
    this.slackWebhookSecret?.grantRead(slack);
    // The dispatcher's notices reach Slack through the topic: SNS invokes the slack Lambda with the
    // messages marked as notices only (the filter policy); the workflow's own messages and the
    // alarms go to email only (the workflow posts to Slack itself). LambdaSubscription adds the
    // function's resource policy: sns.amazonaws.com may invoke it, for this topic only. SNS decrypts
    // the topic's messages itself before delivering them: the slack Lambda needs no KMS grant.
    // Without a webhook secret there is no subscription: nothing would be posted anyway.
    if (this.slackWebhookSecret) {
      this.notifications.topic.addSubscription(new LambdaSubscription(slack, {
        filterPolicy: { [NOTICE_KIND_ATTRIBUTE]: SubscriptionFilter.stringFilter({ allowlist: [NOTICE_KIND] }) },
      }));
    }

    // --- notify: publish to the (KMS-encrypted) topic.
    this.notifications.grantPublish(notify);

    this.detection = new DetectionRules(this, 'DetectionRules', { target: dispatcher });
    if (config.guardDutyMinSeverity !== undefined) {
      new GuardDutyRule(this, 'GuardDutyCredentialFindings', { target: this.detection.ruleTarget, minSeverity: config.guardDutyMinSeverity });
    }
    if (config.reporters.length > 0) {
      this.reportBus = new ReportBus(this, 'ReportBus', { reporters: config.reporters, target: this.detection.ruleTarget });
      new CfnOutput(this, 'ReportBusName', { value: this.reportBus.eventBus.eventBusName });
    }

    if (config.organization) {
      this.organization = new OrganizationMode(this, 'Organization', {
        organization: config.organization,
        workers: [dispatcher, contain, verify, investigate, footholds, evidence, support],
        ruleTarget: this.detection.ruleTarget,
        deadLetterQueue: this.detection.deadLetterQueue,
        protectedUsers: config.protectedUsers,
        protectedRoles: config.protectedRoles,
        stopLaunchedInstances: config.stopLaunchedInstances,
      });
      new CfnOutput(this, 'CentralEventBusArn', { value: this.organization.eventBus.eventBusArn });
      if (config.organization.deleteMemberRootKeys) new MemberRootKeyDeletion(this, 'MemberRootKeyDeletion', { deleter: contain }); // irreversible
    }

    // The step Lambdas' errors are retried and caught by the workflow, which then fails: the
    // executions-failed alarm covers them (see FailureAlarmsProps.extraFunctions).
    this.alarms = new FailureAlarms(this, 'FailureAlarms', {
      stateMachine: this.workflow.stateMachine,
      deadLetterQueue: this.detection.deadLetterQueue,
      dispatcher,
      topic: this.notifications.topic,
    });

    this.timeToContain = new TimeToContainAlarm(this, 'TimeToContain', { thresholdSeconds: config.timeToContainAlarmSeconds, topic: this.notifications.topic });
    this.dashboard = new ResponseDashboard(this, 'Dashboard', {
      stateMachine: this.workflow.stateMachine,
      alarms: [...this.alarms.alarms, this.timeToContain.alarm],
      timeToContainThresholdSeconds: config.timeToContainAlarmSeconds,
    });
    new CfnOutput(this, 'DashboardName', { value: this.dashboard.dashboard.dashboardName });

    new CfnOutput(this, 'NotificationTopicArn', { value: this.notifications.topic.topicArn });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.detection.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'QuarantinePolicyArn', { value: this.quarantinePolicy.policyArn });
    new CfnOutput(this, 'IncidentBucketName', { value: this.incidents.bucket.bucketName });
    // The operator's `doctor` checks the Slack secret still exists (its ARN, never its value).
    if (this.slackWebhookSecret) new CfnOutput(this, 'SlackWebhookSecretArn', { value: this.slackWebhookSecret.secretArn });
  }
}

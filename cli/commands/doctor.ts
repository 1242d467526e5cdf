import { paginateListStackResources, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { DescribeRuleCommand } from '@aws-sdk/client-eventbridge';
import { DescribeSecretCommand } from '@aws-sdk/client-secrets-manager';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { ListSubscriptionsByTopicCommand, Subscription } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DescribeSeverityLevelsCommand, DescribeTrustedAdvisorChecksCommand } from '@aws-sdk/client-support';
import { defineCommand } from '../command';
import { CliContext } from '../context';
import { explain } from '../errors';
import { Deployment, findDeployment, STACK_REGION } from '../stack';
import { memberStackSet } from './doctor-organization';

export interface Check {
  readonly check: string;
  readonly ok: boolean;
  /** OK: what was seen; otherwise what to do. */
  readonly detail: string;
}

/** Trusted Advisor's "Exposed Access Keys" check. */
const EXPOSED_KEYS_CHECK = '12Fnkpl8Y5';
const WEEK_MS = 7 * 86_400_000;

async function emails(ctx: CliContext, d: Deployment): Promise<Check> {
  const subs: Subscription[] = [];
  let token: string | undefined;
  do {
    const out = await ctx.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: d.topicArn, ...(token ? { NextToken: token } : {}) }));
    subs.push(...(out.Subscriptions ?? []));
    token = out.NextToken;
  } while (token);
  const mail = subs.filter((s) => s.Protocol === 'email' || s.Protocol === 'email-json');
  const pending = mail.filter((s) => s.SubscriptionArn === 'PendingConfirmation');
  if (mail.length === 0) return { check: 'email', ok: false, detail: 'no email subscription: nobody is told of an incident. Deploy with -c notificationEmail=you@example.com' };
  if (pending.length > 0) return { check: 'email', ok: false, detail: `${pending.map((s) => s.Endpoint).join(', ')} not confirmed (PendingConfirmation): open SNS's confirmation email, or delete and deploy again to resend it` };
  return { check: 'email', ok: true, detail: `${mail.length} confirmed: ${mail.map((s) => s.Endpoint).join(', ')}` };
}

async function rules(ctx: CliContext, d: Deployment): Promise<Check> {
  const resources: StackResourceSummary[] = [];
  for await (const page of paginateListStackResources({ client: ctx.clients.cloudformation }, { StackName: d.stackName })) {
    resources.push(...(page.StackResourceSummaries ?? []).filter((r) => r.ResourceType === 'AWS::Events::Rule' && r.PhysicalResourceId));
  }
  // A rule on a custom bus has the physical id `bus|rule`.
  const states = await Promise.all(resources.map(async ({ PhysicalResourceId: id = '' }) => {
    const [bus, name] = id.includes('|') ? id.split('|') : [undefined, id];
    const out = await ctx.clients.events.send(new DescribeRuleCommand({ Name: name, ...(bus ? { EventBusName: bus } : {}) }));
    return { name, state: out.State ?? 'UNKNOWN' };
  }));
  const off = states.filter((s) => s.state !== 'ENABLED');
  if (states.length === 0) return { check: 'rules', ok: false, detail: 'the stack has no EventBridge rule: deploy it again' };
  if (off.length > 0) return { check: 'rules', ok: false, detail: `${off.map((s) => `${s.name} is ${s.state}`).join(', ')}: aws events enable-rule --name <name> (or deploy again)` };
  return { check: 'rules', ok: true, detail: `${states.length} enabled` };
}

async function deadLetters(ctx: CliContext, d: Deployment): Promise<Check> {
  const out = await ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: d.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
  const n = Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
  return n === 0
    ? { check: 'dead-letter queue', ok: true, detail: 'empty' }
    : { check: 'dead-letter queue', ok: false, detail: `${n} event(s) were not delivered or could not be dispatched: read them (aws sqs receive-message --queue-url ${d.deadLetterQueueUrl}) and the dispatcher's log; report each key again by hand if it is one` };
}

async function failures(ctx: CliContext, d: Deployment): Promise<Check> {
  const since = ctx.now().getTime() - WEEK_MS;
  const out = await ctx.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: d.stateMachineArn, statusFilter: 'FAILED', maxResults: 20 }));
  const recent = (out.executions ?? []).filter((e) => (e.startDate?.getTime() ?? 0) >= since);
  return recent.length === 0
    ? { check: 'failed executions', ok: true, detail: 'none in the last 7 days' }
    : { check: 'failed executions', ok: false, detail: `${recent.map((e) => e.name).join(', ')}: read each (exposed-key-responder show <id>), finish what it left open, redrive it once the cause is fixed` };
}

async function slack(ctx: CliContext, d: Deployment): Promise<Check> {
  if (!d.slackWebhookSecretArn) return { check: 'slack', ok: true, detail: 'not configured (email only)' };
  const out = await ctx.clients.secrets.send(new DescribeSecretCommand({ SecretId: d.slackWebhookSecretArn }));
  return out.DeletedDate
    ? { check: 'slack', ok: false, detail: `secret ${d.slackWebhookSecretArn} is scheduled for deletion: restore it (aws secretsmanager restore-secret)` }
    : { check: 'slack', ok: true, detail: `secret ${out.Name ?? d.slackWebhookSecretArn} exists` };
}

async function supportPlan(ctx: CliContext): Promise<Check> {
  try {
    await ctx.clients.support.send(new DescribeSeverityLevelsCommand({ language: 'en' }));
    return { check: 'support plan', ok: true, detail: 'the Support API answers (Business or above): cases are opened and answered' };
  } catch (err) {
    if ((err as Error).name !== 'SubscriptionRequiredException') throw err;
    return { check: 'support plan', ok: false, detail: 'Basic or Developer: the Support API is not available, no case is opened or answered (the email says what to do in the Support Center). Business support or above enables it' };
  }
}

async function trustedAdvisor(ctx: CliContext): Promise<Check> {
  try {
    const out = await ctx.clients.support.send(new DescribeTrustedAdvisorChecksCommand({ language: 'en' }));
    const found = (out.checks ?? []).some((c) => c.id === EXPOSED_KEYS_CHECK);
    return { check: 'trusted advisor', ok: found, detail: found ? 'the Exposed Access Keys check is available' : `check ${EXPOSED_KEYS_CHECK} (Exposed Access Keys) is not listed: AWS Health and CloudTrail still report exposures` };
  } catch (err) {
    if ((err as Error).name !== 'SubscriptionRequiredException') throw err;
    return { check: 'trusted advisor', ok: false, detail: 'not readable through the API on this support plan; its events still reach EventBridge, and AWS Health and CloudTrail report exposures too' };
  }
}

export const doctor = defineCommand({
  name: 'doctor',
  summary: 'can this deployment respond? each line says OK or what to do',
  usage: `usage: exposed-key-responder doctor
  Checks: the stack's region and status, its rules enabled, email subscriptions confirmed, the
  dead-letter queue empty, failed executions of the last 7 days, the Slack secret, the support plan
  and Trusted Advisor; in organization mode, the member StackSet and each of its stack instances
  current. Exit 1 when a check is not OK.`,
  options: {},
  positionals: 0,
  run: async (_parsed, ctx) => {
    const d = await findDeployment(ctx);
    const checks: Check[] = [
      d.region === STACK_REGION
        ? { check: 'region', ok: true, detail: STACK_REGION }
        : { check: 'region', ok: false, detail: `the stack is in ${d.region}: IAM, STS and Trusted Advisor events reach EventBridge only in ${STACK_REGION}; deploy it there` },
      /_COMPLETE$/.test(d.stackStatus) && !/ROLLBACK|DELETE/.test(d.stackStatus)
        ? { check: 'stack', ok: true, detail: d.stackStatus }
        : { check: 'stack', ok: false, detail: `${d.stackStatus}: see the stack's events in CloudFormation and deploy again` },
    ];
    const probes: Array<[string, () => Promise<Check | undefined>]> = [
      ['rules', () => rules(ctx, d)], ['email', () => emails(ctx, d)], ['dead-letter queue', () => deadLetters(ctx, d)],
      ['failed executions', () => failures(ctx, d)], ['slack', () => slack(ctx, d)], ['support plan', () => supportPlan(ctx)], ['trusted advisor', () => trustedAdvisor(ctx)],
      ['member stack set', () => memberStackSet(ctx, d)],
    ];
    for (const [name, probe] of probes) {
      ctx.progress(`checking ${name}...`);
      const check = await probe().catch((err: unknown) => ({ check: name, ok: false, detail: `could not check: ${explain(err, name).message}` }));
      if (check) checks.push(check);
    }
    const ok = checks.every((c) => c.ok);
    return {
      json: { ok, stack: d.stackName, checks },
      text: checks.map((c) => `${c.ok ? 'OK  ' : 'FIX '} ${c.check.padEnd(18)} ${c.detail}`).join('\n'),
      exitCode: ok ? 0 : 1,
    };
  },
});

import { createHandler as createContain } from '../lambdas/contain/handler';
import { createHandler as createEvidence } from '../lambdas/evidence/handler';
import { createHandler as createFootholds } from '../lambdas/footholds/handler';
import { createHandler as createInvestigate } from '../lambdas/investigate/handler';
import { createHandler as createReport } from '../lambdas/report/handler';
import { buildReport } from '../lambdas/report/record';
import { parseWorkflowState } from '../lambdas/shared/state';
import { createHandler as createSlack } from '../lambdas/slack/handler';
import { createHandler as createSupport } from '../lambdas/support/handler';
import { createHandler as createDispatcher } from '../lambdas/dispatcher/handler';
import { DispatchResult } from '../lambdas/dispatcher/dispatch';
import { createHandler as createNotify } from '../lambdas/notify/handler';
import { createHandler as createVerify } from '../lambdas/verify/handler';
import { createHandler as createSignals } from '../lambdas/signals/handler';
import { Incident } from '../lambdas/shared/incident';
import { connectToSimulatedAccount } from './aws-mocks';
import { DeadLetter, Rejections } from './dead-letters';
import { DrillConfig, drillSettings, lambdaEnvironments } from './lambda-environments';
import { matchingRules, RulePattern } from './rules';
import { parseScenario } from './scenario';
import { DRILL_TIME_SCALE, inInvocation, SimulatedAccount } from './simulated-account';
import { SimulatedOrganization } from './simulated-sts';
import { ASYNC_INVOKE_ATTEMPTS, passesNoticeFilter, snsEventOf } from './topic-subscription';
import { serviceIntegrations } from './simulated-signals';
import type { EmfDocument } from '../lambdas/signals/metrics';
import { LambdaHandler, runWorkflow, WorkflowRun } from './workflow';
import { drillOutput, DrillOutput } from './drill-output';

export type { DrillConfig } from './lambda-environments';
export type { DrillOutput } from './drill-output';

/** The deployed second look's wait (secondLookMinutes' default, lib/config.ts). */
export const DEPLOYED_SECOND_LOOK_SECONDS = 20 * 60;

export interface DrillOptions {
  readonly progress?: (line: string) => void;
  /**
   * Run on the virtual clock (drill/virtual-clock.ts, installed by the caller): timers count
   * simulated milliseconds one for one, and the workflow's Retry waits (back-off, full jitter) are
   * waited, not zeroed. For waves, where the waits are what spreads the executions out.
   */
  readonly virtualTime?: boolean;
}

/** The webhook the drill's Slack secret holds: a stand-in, nothing is posted off the machine. */
export const DRILL_SLACK_WEBHOOK = 'https://hooks.slack.com/services/TDRILL000/BDRILL000/drill0000000000000000000';

export interface DrillExecution {
  readonly incident: Incident;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  readonly states: WorkflowRun['states'];
  readonly output?: unknown;
  readonly error?: WorkflowRun['error'];
  /** When it started, in simulated ms since the drill began. */
  readonly startedAtMs?: number;
}

/** One event's path: the rules it matched, what the dispatcher did, each execution it started. */
export interface Delivery {
  readonly matchedRules: string[];
  readonly dispatch?: DispatchResult;
  readonly dispatchError?: { name: string; message: string };
  /** Where the rejected event went, as the stack sends it (Lambda's retries, then the dead-letter queue). */
  readonly deadLetter?: DeadLetter;
  readonly executions: DrillExecution[];
}

/**
 * A fire drill: the simulated account of a scenario, the stack's rule patterns, and the real
 * handlers wired as deployed (dispatcher behind the rules, the ASL file driving the step Lambdas).
 * Deliver one or more events, then read {@link Drill.output}.
 */
export class Drill {
  readonly account: SimulatedAccount;
  /** The account as the scenario gave it. */
  readonly before: ReturnType<SimulatedAccount['view']>;
  readonly deliveries: Delivery[] = [];
  private readonly handlers: Record<string, LambdaHandler>;
  private readonly dispatcher: LambdaHandler;
  private readonly disconnect: () => void;
  private readonly progress: (line: string) => void;
  /** The simulated incident bucket. */
  readonly bucket: string;
  /** The metrics the workflow emitted (EMF documents, as CloudWatch Logs would read them). */
  private readonly emf: EmfDocument[] = [];
  /** Organization mode: the central account, the simulated STS and the member role's sessions. */
  readonly organization?: SimulatedOrganization;

  constructor(
    scenario: unknown,
    private readonly rules: RulePattern[],
    config: DrillConfig,
    options: DrillOptions = {},
  ) {
    const parsed = parseScenario(scenario);
    this.organization = config.organization ? new SimulatedOrganization(config.organization.organizationId, parsed.accountId) : undefined;
    // The responder's own resources are in its account: the central one in organization mode.
    const settings = drillSettings(config, this.organization?.centralAccountId ?? parsed.accountId);
    // On the virtual clock (drill/virtual-clock.ts) a timer's milliseconds are simulated ones.
    const scale = options.virtualTime ? 1 : DRILL_TIME_SCALE;
    this.honourRetryWaits = options.virtualTime === true;
    // The quarantine policy of the scenario's account (in organization mode, the member stack's, of the same name).
    this.account = new SimulatedAccount(parsed, [drillSettings(config, parsed.accountId).quarantinePolicyArn], scale);
    this.organization?.attach(this.account);
    this.before = this.account.view();
    this.disconnect = connectToSimulatedAccount(this.account);
    this.progress = options.progress ?? (() => undefined);
    // Said once: the scenario's records LookupEvents will never return (drill/simulated-cloudtrail.ts).
    for (const note of this.account.trailNotes(config.lookbackDays)) this.progress(`note: ${note}`);
    // Each function's environment as the stack gives it (the same table: lambdas/shared/environment.ts).
    const env = lambdaEnvironments(settings);
    if (config.slackWebhookSecret) this.account.secrets.set(config.slackWebhookSecret, DRILL_SLACK_WEBHOOK);
    // The Slack webhook is not AWS: its posts go to the simulated account too (faults: slack:PostMessage).
    const post = async (url: string, body: string) => {
      try {
        return this.account.call('slack', 'PostMessage', { url, body }) as { status: number; text: string };
      } catch (err) {
        return { status: 500, text: (err as Error).name };
      }
    };
    this.bucket = settings.incidentBucket;
    // Waits (CloudTrail spacing, back-off) run at drill speed; the simulated rate limits count in
    // the same simulated time.
    const atDrillSpeed = { sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms / scale)) };
    this.dispatcher = createDispatcher(env.dispatcher, atDrillSpeed) as LambdaHandler;
    // The stack subscribes the slack Lambda to the topic only when a webhook secret is configured.
    this.slackSubscribed = config.slackWebhookSecret !== undefined;
    this.topicArn = settings.topicArn;
    this.rejections = new Rejections(this.account.published, settings.topicArn, parsed.accountId);
    this.handlers = {
      contain: createContain(env.contain) as LambdaHandler,
      verify: createVerify(env.verify) as LambdaHandler,
      investigate: createInvestigate(env.investigate, atDrillSpeed) as LambdaHandler,
      // Bound for the workflow's footholds state (${FootholdsFunctionArn}), run only where the ASL references it.
      footholds: createFootholds(env.footholds) as LambdaHandler,
      evidence: createEvidence(env.evidence, atDrillSpeed) as LambdaHandler,
      report: createReport(env.report) as LambdaHandler,
      support: createSupport(env.support) as LambdaHandler,
      slack: createSlack(env.slack, { post, ...atDrillSpeed }) as LambdaHandler,
      notify: createNotify(env.notify) as LambdaHandler,
      signals: createSignals(env.signals, { emit: (doc) => this.emf.push(doc) }) as LambdaHandler,
    };
  }

  /** Whether the workflow's Retry waits are waited (on the virtual clock) rather than zeroed. */
  private readonly honourRetryWaits: boolean;

  /** Puts the real SDK clients back. */
  close(): void {
    this.disconnect();
  }

  /**
   * Delivers one EventBridge event: rules, then dispatcher, then each execution it started.
   * Organization mode: through the member account's rules to the central bus, or, `onCentralBus`,
   * put on the central bus directly.
   */
  async deliver(event: unknown, options: { onCentralBus?: boolean } = {}): Promise<Delivery> {
    const matchedRules = this.organization
      ? this.organization.route(this.rules, event, options.onCentralBus)
      : matchingRules(this.rules, event, { accountId: this.account.accountId });
    if (matchedRules.length === 0) {
      const delivery: Delivery = { matchedRules, executions: [] };
      this.deliveries.push(delivery);
      this.progress('no rule matches this event: it is not an incident');
      return delivery;
    }
    this.progress(`rule(s) matched: ${matchedRules.join(', ')}`);
    const before = new Set(this.account.executions.keys());
    let dispatch: DispatchResult | undefined;
    let dispatchError: Delivery['dispatchError'];
    let deadLetter: DeadLetter | undefined;
    try {
      dispatch = (await inInvocation('dispatcher', () => this.dispatcher(event))) as DispatchResult;
    } catch (err) {
      dispatchError = { name: (err as Error).name, message: (err as Error).message };
      this.progress(`dispatcher rejected the event: ${dispatchError.message}`);
      // As deployed: Lambda runs the invocation again, then the event goes to the dead-letter queue.
      const path = this.rules.find((r) => matchedRules.includes(r.name) && r.onRejection)?.onRejection;
      if (path) {
        const letters = this.rejections.deadLetters.length;
        dispatch = await this.rejections.retry(path, event, err as Error, async () => (await inInvocation('dispatcher', () => this.dispatcher(event))) as DispatchResult, this.progress);
        if (dispatch) dispatchError = undefined;
        deadLetter = this.rejections.deadLetters[letters];
      }
    }
    await this.deliverToSlackSubscription();
    this.tellAssumptions();
    for (const n of dispatch?.notified ?? []) this.progress(`people told: ${n.subject}`);
    const executions: DrillExecution[] = [];
    for (const started of dispatch?.started ?? []) {
      if (before.has(started.incidentId)) continue;
      executions.push(await this.execute(started.incident, started.executionArn));
      this.tellAssumptions();
      // The workflow's own messages carry no notice mark: the filter keeps them from Slack.
      await this.deliverToSlackSubscription();
    }
    for (const dup of dispatch?.duplicates ?? []) {
      this.progress(`duplicate report for ${dup.incidentId}: no second execution`);
      executions.push({ incident: dup.incident, status: 'SKIPPED', states: [] });
    }
    for (const s of dispatch?.skipped ?? []) this.progress(`not contained: ${s.about}: ${s.reason}`);
    const delivery: Delivery = { matchedRules, dispatch, dispatchError, ...(deadLetter ? { deadLetter } : {}), executions };
    this.deliveries.push(delivery);
    return delivery;
  }

  /** The dead-letter queue and the alarms, as the stack's rejection path fills them. */
  readonly rejections: Rejections;

  /** Role assumptions already told. */
  private assumptionsTold = 0;

  /** Organization mode: each role the responder assumed since the last call, on the progress stream. */
  private tellAssumptions(): void {
    for (const a of this.organization?.assumptions.slice(this.assumptionsTold) ?? []) {
      this.progress(`assumed ${a.roleArn} as session ${a.sessionName}`);
      this.assumptionsTold++;
    }
  }

  private readonly slackSubscribed: boolean;
  private readonly topicArn: string;
  /** Messages of the topic already offered to the slack Lambda's subscription. */
  private delivered = 0;

  /**
   * What SNS does with each message published since the last call: the ones the subscription's
   * filter lets through (the dispatcher's notices) invoke the slack Lambda with an SNS event; a
   * failed invocation is run again, as Lambda retries an asynchronous one, then dropped.
   */
  private async deliverToSlackSubscription(): Promise<void> {
    for (; this.delivered < this.account.published.length; this.delivered++) {
      const message = this.account.published[this.delivered];
      if (!this.slackSubscribed || message.topicArn !== this.topicArn || !passesNoticeFilter(message)) continue;
      const event = snsEventOf(message, `msg-${this.delivered + 1}`, `${this.topicArn}:drill-slack-subscription`);
      for (let attempt = 1; attempt <= ASYNC_INVOKE_ATTEMPTS; attempt++) {
        try {
          await inInvocation('slack-notice', () => this.handlers.slack(event));
          break;
        } catch (err) {
          const last = attempt === ASYNC_INVOKE_ATTEMPTS;
          this.progress(`slack notice not posted (${(err as Error).message}): ${last ? 'Lambda drops it after its retries; the email stands' : 'Lambda retries the invocation'}`);
        }
      }
    }
  }

  private async execute(incident: Incident, executionArn: string): Promise<DrillExecution> {
    this.progress(`execution ${incident.incidentId} started for key ${incident.accessKeyId} of ${incident.userName}`);
    const startedAtMs = this.account.simulatedMs();
    const startDate = new Date();
    const run = await runWorkflow({
      input: { incident },
      executionArn,
      executionName: incident.incidentId,
      startTime: startDate.toISOString(),
      handlers: this.handlers,
      integrations: serviceIntegrations(this.account, { executionArn, stateMachineArn: executionArn.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '') }),
      invoke: (stateName, _lambda, handler, input) => inInvocation(stateName, () => handler(input)),
      honourRetryWaits: this.honourRetryWaits,
      // The Retry waits the plain drill skips still pass in simulated time (the rate limits refill).
      skippedWait: (ms) => this.account.skip(ms),
      // On the virtual clock waiting costs nothing: the second look waits as deployed (20 minutes).
      ...(this.honourRetryWaits && { values: { SecondLookSeconds: String(DEPLOYED_SECOND_LOOK_SECONDS) } }),
    });
    this.progress(`execution ${incident.incidentId} ${run.status}`);
    this.account.operatorOps.ended.set(incident.incidentId, { status: run.status, startDate, stopDate: new Date() });
    return { incident, status: run.status, states: run.states, output: run.output ?? run.finalInput, error: run.error, startedAtMs };
  }

  /** The incident report the workflow wrote to the (simulated) incident bucket, as JSON and Markdown. */
  reportObjects(incidentId: string): { json?: string; markdown?: string } {
    const get = (name: string) => this.account.objects.get(`${this.bucket}/incidents/${incidentId}/${name}`)?.body;
    return { json: get('report.json'), markdown: get('report.md') };
  }

  /**
   * The record of an execution: the report.json it wrote; when writing it failed, the same record
   * rebuilt from the execution's last state (the same pure buildReport), marked `written: false`.
   */
  private report(e: DrillExecution): Record<string, unknown> {
    const { json } = this.reportObjects(e.incident.incidentId);
    if (json) return JSON.parse(json) as Record<string, unknown>;
    const state = { incident: e.incident, ...((e.output ?? {}) as Record<string, unknown>) };
    return { ...buildReport(parseWorkflowState(state, 'drill'), new Date()), written: false, status: e.status, ...(e.error ? { error: e.error } : {}) };
  }

  /** The drill contract's output document (docs/drill.md "Output"). */
  output(): DrillOutput {
    return drillOutput({
      deliveries: this.deliveries,
      account: this.account,
      emf: this.emf,
      organization: this.organization,
      rejections: this.rejections,
      record: (e) => this.report(e),
    });
  }
}

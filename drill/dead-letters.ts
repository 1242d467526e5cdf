// What the deployed stack does with an event its dispatcher rejects (the invocation threw), read out
// of the synthesized template, so the drill plays exactly that: Lambda runs the asynchronous
// invocation again (the function's EventInvokeConfig MaximumRetryAttempts), then puts an
// invocation record in the on-failure destination (the dead-letter queue); the alarms on the
// dispatcher's Errors and on the queue's messages go to their topic, whose subscribers get an
// email from CloudWatch.
import { PublishedMessage } from './simulated-account';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/** A CloudWatch alarm of the template: what its email says. */
export interface AlarmModel {
  /** The alarm's name: CloudFormation's `<stack>-<logical id>` (the random suffix it adds left out). */
  readonly name: string;
  /** The description as synthesized (CloudFormation functions resolved when it fires). */
  readonly description: unknown;
  readonly metric: string;
  /** Whether its actions publish to a topic of the stack (the notification topic). */
  readonly notifies: boolean;
}

/** The path of an event the rule's target rejects. */
export interface RejectionPath {
  /** The stack's name: CloudFormation's names of its resources start with it. */
  readonly stackName: string;
  /** The function the rule invokes (its name as CloudFormation would give it). */
  readonly functionName: string;
  /** Lambda runs a rejected asynchronous invocation this many times in all. */
  readonly attempts: number;
  /** The on-failure destination queue's name; undefined: Lambda discards the event. */
  readonly queue?: string;
  /** Alarms on the function's Errors: they fire at its first error. */
  readonly errorAlarms: readonly AlarmModel[];
  /** Alarms on the queue's visible messages: they fire when the event lands there. */
  readonly deadLetterAlarms: readonly AlarmModel[];
}

/** Lambda's own default when a function has no EventInvokeConfig: 2 retries. */
const DEFAULT_ASYNC_RETRIES = 2;

const refOf = (value: unknown): string | undefined => (value as { Ref?: unknown } | undefined)?.Ref as string | undefined;
const getAttOf = (value: unknown): [string, string] | undefined => (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];

/** The physical name CloudFormation gives a resource without one, but its random suffix. */
function physicalName(stackName: string, logicalId: string): string {
  return `${stackName}-${logicalId}`;
}

/** The rejection path of a rule target `{Arn: {Fn::GetAtt: [fn, Arn]}}`; undefined for any other target. */
export function rejectionPathOf(resources: Resources, targetArn: unknown, stackName: string): RejectionPath | undefined {
  const fn = getAttOf(targetArn)?.[0];
  if (!fn || resources[fn]?.Type !== 'AWS::Lambda::Function') return undefined;
  const config = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && refOf(r.Properties?.FunctionName) === fn)?.Properties;
  const queue = getAttOf(config?.DestinationConfig?.OnFailure?.Destination)?.[0];
  const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');
  const on = (dimension: string, matches: (value: unknown) => boolean, metric: string): AlarmModel[] =>
    alarms
      .filter(([, r]) => r.Properties?.MetricName === metric && (r.Properties?.Dimensions ?? []).some((d: { Name: string; Value: unknown }) => d.Name === dimension && matches(d.Value)))
      .map(([id, r]) => ({
        name: physicalName(stackName, id),
        description: r.Properties?.AlarmDescription ?? '',
        metric: `${r.Properties?.Namespace} ${metric}`,
        notifies: (r.Properties?.AlarmActions ?? []).some((a: unknown) => resources[refOf(a) ?? '']?.Type === 'AWS::SNS::Topic'),
      }));
  return {
    stackName,
    functionName: physicalName(stackName, fn),
    attempts: 1 + Number(config?.MaximumRetryAttempts ?? DEFAULT_ASYNC_RETRIES),
    ...(queue && resources[queue]?.Type === 'AWS::SQS::Queue' ? { queue: physicalName(stackName, queue) } : {}),
    errorAlarms: on('FunctionName', (v) => refOf(v) === fn, 'Errors'),
    deadLetterAlarms: queue ? on('QueueName', (v) => getAttOf(v)?.[0] === queue, 'ApproximateNumberOfMessagesVisible') : [],
  };
}

/** A CloudFormation value as text once deployed: names as {@link physicalName}, pseudo parameters of the drill. */
function resolveText(value: unknown, stackName: string, accountId: string): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  const ref = refOf(value);
  if (ref === 'AWS::AccountId') return accountId;
  if (ref === 'AWS::Region') return 'us-east-1';
  if (ref === 'AWS::Partition') return 'aws';
  if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
  if (ref) return physicalName(stackName, ref);
  const att = getAttOf(value);
  if (att) return physicalName(stackName, att[0]);
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (join) return join[1].map((v) => resolveText(v, stackName, accountId)).join(join[0]);
  return JSON.stringify(value);
}

/** One event in the dead-letter queue: Lambda's on-failure record of the invocation. */
export interface DeadLetter {
  readonly queue: string;
  /** How many times Lambda ran the invocation before giving up. */
  readonly attempts: number;
  /** The event, as the dispatcher received it. */
  readonly requestPayload: unknown;
  /** The last attempt's error, as Lambda records it. */
  readonly responsePayload: { readonly errorType: string; readonly errorMessage: string };
}

/** An alarm that went to ALARM during the drill. */
export interface FiredAlarm {
  readonly name: string;
  readonly metric: string;
  readonly description: string;
}

/**
 * Plays {@link RejectionPath}s: runs the invocation again as Lambda would, keeps what lands in the
 * dead-letter queue, fires each alarm once (it stays in ALARM for the rest of the drill) and
 * publishes its email to the notification topic, as CloudWatch does.
 */
export class Rejections {
  readonly deadLetters: DeadLetter[] = [];
  readonly alarms: FiredAlarm[] = [];

  constructor(
    private readonly published: PublishedMessage[],
    private readonly topicArn: string,
    private readonly accountId: string,
  ) {}

  /**
   * Runs `invoke` up to `path.attempts` times in all (it threw once already: `first`); returns its
   * result when an attempt succeeds, undefined when the event went to the dead-letter queue.
   */
  async retry<T>(path: RejectionPath, event: unknown, first: Error, invoke: () => Promise<T>, progress: (line: string) => void): Promise<T | undefined> {
    this.fire(path, path.errorAlarms);
    let last = first;
    for (let attempt = 2; attempt <= path.attempts; attempt++) {
      progress(`Lambda runs the dispatcher's invocation again (attempt ${attempt} of ${path.attempts})`);
      try {
        return await invoke();
      } catch (err) {
        last = err as Error;
      }
    }
    if (!path.queue) {
      progress(`the event is dropped after ${path.attempts} attempts: the dispatcher has no on-failure destination`);
      return undefined;
    }
    this.deadLetters.push({ queue: path.queue, attempts: path.attempts, requestPayload: event, responsePayload: { errorType: last.name, errorMessage: last.message } });
    progress(`the event is in the dead-letter queue ${path.queue} after ${path.attempts} attempts`);
    this.fire(path, path.deadLetterAlarms);
    return undefined;
  }

  private fire(path: RejectionPath, alarms: readonly AlarmModel[]): void {
    for (const alarm of alarms) {
      if (this.alarms.some((a) => a.name === alarm.name)) continue;
      const description = resolveText(alarm.description, path.stackName, this.accountId);
      this.alarms.push({ name: alarm.name, metric: alarm.metric, description });
      if (!alarm.notifies) continue;
      // CloudWatch's email to the topic's email subscribers (its shape, not its exact words).
      this.published.push({
        topicArn: this.topicArn,
        subject: `ALARM: "${alarm.name}" in US East (N. Virginia)`,
        message: [
          `You are receiving this email because your Amazon CloudWatch Alarm "${alarm.name}" in the US East (N. Virginia) region has entered the ALARM state.`,
          '',
          'Alarm Details:',
          `- Name:         ${alarm.name}`,
          `- Description:  ${description}`,
          '- State Change: OK -> ALARM',
          `- Metric:       ${alarm.metric}`,
        ].join('\n'),
      });
    }
  }
}

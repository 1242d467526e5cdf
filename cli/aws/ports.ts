/**
 * The CloudFormation, EventBridge and SQS calls of the command line, as small interfaces (tests
 * give fakes) with their implementation on {@link ./rpc}: the SDK clients of these services are not
 * among the project's dependencies yet.
 */
import { jsonCall, queryCall, Signing, xmlAll, xmlOne } from './rpc';

export interface StackDescription {
  readonly stackName: string;
  readonly stackStatus: string;
  readonly outputs: Record<string, string>;
}

export interface StackResource {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly type: string;
}

export interface CloudFormationApi {
  /** DescribeStacks of one stack; AWS answers `ValidationError ... does not exist` for an unknown one. */
  describeStack(stackName: string): Promise<StackDescription>;
  /** ListStackResources, every page. */
  listStackResources(stackName: string): Promise<StackResource[]>;
}

export interface PutEventsEntry {
  readonly EventBusName: string;
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Time?: Date;
}

export interface EventsApi {
  /** PutEvents: each entry's event id, or its error. */
  putEvents(entries: readonly PutEventsEntry[]): Promise<{ failedEntryCount: number; entries: Array<{ eventId?: string; errorCode?: string; errorMessage?: string }> }>;
  /** DescribeRule: its state (`ENABLED`, `DISABLED`...). */
  describeRule(name: string, eventBusName?: string): Promise<{ state: string }>;
}

export interface QueueApi {
  /** The messages waiting in the queue (ApproximateNumberOfMessages). */
  approximateMessages(queueUrl: string): Promise<number>;
}

const CFN_VERSION = '2010-05-15';

export function cloudFormationApi(signing: Signing): CloudFormationApi {
  return {
    async describeStack(stackName) {
      const xml = await queryCall(signing, 'cloudformation', CFN_VERSION, 'DescribeStacks', { StackName: stackName });
      // One stack asked: its name and status are the document's only ones.
      const outputs: Record<string, string> = {};
      const outputsXml = xmlAll(xml, 'Outputs')[0] ?? '';
      for (const o of xmlAll(outputsXml, 'member')) {
        const key = xmlOne(o, 'OutputKey');
        if (key) outputs[key] = xmlOne(o, 'OutputValue') ?? '';
      }
      return { stackName: xmlOne(xml, 'StackName') ?? stackName, stackStatus: xmlOne(xml, 'StackStatus') ?? 'UNKNOWN', outputs };
    },
    async listStackResources(stackName) {
      const resources: StackResource[] = [];
      let token: string | undefined;
      do {
        const xml = await queryCall(signing, 'cloudformation', CFN_VERSION, 'ListStackResources', { StackName: stackName, ...(token ? { NextToken: token } : {}) });
        for (const m of xmlAll(xmlAll(xml, 'StackResourceSummaries')[0] ?? '', 'member')) {
          resources.push({ logicalId: xmlOne(m, 'LogicalResourceId') ?? '', physicalId: xmlOne(m, 'PhysicalResourceId') ?? '', type: xmlOne(m, 'ResourceType') ?? '' });
        }
        token = xmlOne(xml, 'NextToken');
      } while (token);
      return resources;
    },
  };
}

export function eventsApi(signing: Signing): EventsApi {
  return {
    async putEvents(entries) {
      const out = await jsonCall(signing, 'events', 'AWSEvents.PutEvents', '1.1', {
        Entries: entries.map((e) => ({ ...e, ...(e.Time ? { Time: Math.floor(e.Time.getTime() / 1000) } : {}) })),
      });
      const results = (out.Entries as Array<{ EventId?: string; ErrorCode?: string; ErrorMessage?: string }> | undefined) ?? [];
      return {
        failedEntryCount: Number(out.FailedEntryCount ?? 0),
        entries: results.map((r) => ({ ...(r.EventId && { eventId: r.EventId }), ...(r.ErrorCode && { errorCode: r.ErrorCode }), ...(r.ErrorMessage && { errorMessage: r.ErrorMessage }) })),
      };
    },
    async describeRule(name, eventBusName) {
      const out = await jsonCall(signing, 'events', 'AWSEvents.DescribeRule', '1.1', { Name: name, ...(eventBusName ? { EventBusName: eventBusName } : {}) });
      return { state: String(out.State ?? 'UNKNOWN') };
    },
  };
}

export function queueApi(signing: Signing): QueueApi {
  return {
    async approximateMessages(queueUrl) {
      const out = await jsonCall(signing, 'sqs', 'AmazonSQS.GetQueueAttributes', '1.0', { QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] });
      return Number((out.Attributes as Record<string, string> | undefined)?.ApproximateNumberOfMessages ?? 0);
    },
  };
}

// What the workflow tells the outside, in the drill's simulated account: the events put on the
// default bus (the completion event) through the Step Functions EventBridge integration. The
// workflow's service-integration Tasks run here instead of a Lambda (drill/workflow.ts). And the
// metrics the signals step emitted (EMF documents), as the drill reports them.
import type { EmfDocument } from '../lambdas/signals/metrics';

/** An event as EventBridge delivers it to a rule's target. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: unknown;
  /** The bus it was put on (not part of what EventBridge delivers; the drill shows it). */
  readonly eventBusName: string;
}

interface PutEventsEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  EventBusName?: unknown;
  Resources?: unknown;
}

/** The account's event buses, as far as the responder writes to them. */
export class SimulatedSignals {
  /** Every event put, on any bus, in order. */
  readonly events: DeliveredEvent[] = [];

  constructor(private readonly accountId: string) {}

  /** PutEvents: each entry delivered as EventBridge would (a JSON string detail is parsed, as EventBridge does). */
  events_PutEvents(input: Record<string, unknown>, region: string) {
    const entries = (input.Entries as PutEventsEntry[] | undefined) ?? [];
    if (entries.length === 0 || entries.length > 10) throw new Error(`PutEvents takes 1 to 10 entries, got ${entries.length}`);
    const ids = entries.map((e) => {
      if (typeof e.Source !== 'string' || typeof e.DetailType !== 'string' || e.Detail === undefined) throw new Error('a PutEvents entry needs Source, DetailType and Detail');
      const id = `drill-event-${this.events.length + 1}`;
      this.events.push({
        version: '0',
        id,
        'detail-type': e.DetailType,
        source: e.Source,
        account: this.accountId,
        time: new Date().toISOString(),
        region,
        resources: Array.isArray(e.Resources) ? e.Resources.map(String) : [],
        detail: typeof e.Detail === 'string' ? JSON.parse(e.Detail) : e.Detail,
        eventBusName: typeof e.EventBusName === 'string' ? e.EventBusName : 'default',
      });
      return { EventId: id };
    });
    return { Entries: ids, FailedEntryCount: 0 };
  }
}

/** The simulated account's API, as far as the integrations need it. */
export interface IntegrationAccount {
  call(service: string, operation: string, input: Record<string, unknown>, region?: string): unknown;
}

/**
 * The workflow's service-integration Tasks, by resource ARN, bound to the simulated account (its
 * faults and its record of calls included). As the optimized EventBridge integration does, the
 * execution and state machine ARNs are added to each entry's resources.
 */
export function serviceIntegrations(account: IntegrationAccount, execution: { executionArn: string; stateMachineArn: string }): Record<string, (input: unknown) => Promise<unknown>> {
  return {
    'arn:aws:states:::events:putEvents': async (input) => {
      const entries = ((input as { Entries?: PutEventsEntry[] }).Entries ?? []).map((e) => ({
        ...e,
        Resources: [...(Array.isArray(e.Resources) ? e.Resources : []), execution.executionArn, execution.stateMachineArn],
      }));
      return account.call('events', 'PutEvents', { Entries: entries });
    },
  };
}

/** One metric value the drill saw emitted (an EMF document flattened). */
export interface EmittedMetric {
  readonly incidentId: string;
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly value: number;
}

/** The EMF documents the signals step wrote, one entry per metric value. */
export function emittedMetrics(docs: ReadonlyArray<EmfDocument>): EmittedMetric[] {
  return docs.flatMap((doc) =>
    doc._aws.CloudWatchMetrics.flatMap((set) =>
      set.Metrics.map((m) => ({ incidentId: doc.incidentId, namespace: set.Namespace, name: m.Name, unit: m.Unit, value: Number(doc[m.Name]) })),
    ),
  );
}

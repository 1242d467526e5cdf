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

/** The account's event buses and Security Hub, as far as the responder writes to them. */
export class SimulatedSignals {
  /** Every event put, on any bus, in order. */
  readonly events: DeliveredEvent[] = [];
  /** Security Hub's findings by Id, as the last accepted import left each. */
  readonly findings = new Map<string, Record<string, unknown>>();
  /** Every finding imported, in order (the drill shows creates and updates). */
  readonly imports: Array<Record<string, unknown>> = [];

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

  /**
   * BatchImportFindings: a finding with a new Id is created; one with a known Id is updated when
   * its UpdatedAt is later (Security Hub ignores an older update) and keeps its CreatedAt.
   */
  securityhub_BatchImportFindings(input: Record<string, unknown>) {
    const findings = (input.Findings as Array<Record<string, unknown>> | undefined) ?? [];
    if (findings.length === 0 || findings.length > 100) throw new Error(`BatchImportFindings takes 1 to 100 findings, got ${findings.length}`);
    const failed: Array<{ Id: string; ErrorCode: string; ErrorMessage: string }> = [];
    for (const f of findings) {
      const id = String(f.Id);
      const missing = ['SchemaVersion', 'Id', 'ProductArn', 'GeneratorId', 'AwsAccountId', 'CreatedAt', 'UpdatedAt', 'Title', 'Description', 'Resources'].filter((k) => f[k] === undefined);
      if (missing.length > 0 || (!f.Severity && !f.FindingProviderFields)) {
        failed.push({ Id: id, ErrorCode: 'InvalidInput', ErrorMessage: `missing ${missing.join(', ') || 'Severity'}` });
        continue;
      }
      const existing = this.findings.get(id);
      if (existing && !(Date.parse(String(f.UpdatedAt)) > Date.parse(String(existing.UpdatedAt)))) continue;
      const stored = structuredClone(existing ? { ...f, CreatedAt: existing.CreatedAt } : f);
      this.findings.set(id, stored);
      this.imports.push(structuredClone(f));
    }
    return { FailedCount: failed.length, SuccessCount: findings.length - failed.length, FailedFindings: failed };
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
    'arn:aws:states:::aws-sdk:securityhub:batchImportFindings': async (input) => account.call('securityhub', 'BatchImportFindings', input as Record<string, unknown>),
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

// The drill contract's output document (docs/drill.md "Output"), assembled from what a run left.
import type { Incident } from '../lambdas/shared/incident';
import type { EmfDocument } from '../lambdas/signals/metrics';
import type { DeadLetter, FiredAlarm, Rejections } from './dead-letters';
import type { Delivery, DrillExecution } from './run-drill';
import type { ApiCall, SimulatedAccount } from './simulated-account';
import { DeliveredEvent, EmittedMetric, emittedMetrics } from './simulated-signals';
import type { Assumption, RootSession, SimulatedOrganization } from './simulated-sts';
import type { WorkflowRun } from './workflow';

/** What a drill run leaves behind, read to write its output. */
export interface DrillRunResult {
  readonly deliveries: readonly Delivery[];
  readonly account: SimulatedAccount;
  readonly emf: readonly EmfDocument[];
  readonly organization?: SimulatedOrganization;
  readonly rejections: Rejections;
  /** The incident record of an execution (report.json, or rebuilt when it was not written). */
  readonly record: (e: DrillExecution) => Record<string, unknown>;
}

/** The output document of a drill run. */
export function drillOutput(from: DrillRunResult): DrillOutput {
    const executions = from.deliveries.flatMap((d) => d.executions);
    const first = executions[0];
    const matched = from.deliveries.some((d) => d.matchedRules.length > 0);
    return {
      matched,
      incident: first ? summary(first.incident) : null,
      execution: first
        ? { status: first.status, states: first.states }
        : matched
          ? { status: 'SKIPPED', states: [] }
          : null,
      account: from.account.view(),
      notifications: [
        ...from.account.published.map((m) => ({ channel: 'email' as const, subject: m.subject ?? '', body: m.message })),
        ...from.account.slackMessages.map((m) => slackNotification(m.body)),
      ],
      report: first ? from.record(first) : {},
      incidents: executions.map((e) => ({ ...summary(e.incident), status: e.status })),
      deliveries: from.deliveries.map((d) => ({
        matchedRules: d.matchedRules,
        started: d.dispatch?.started.map((s) => s.incidentId) ?? [],
        duplicates: d.dispatch?.duplicates.map((s) => s.incidentId) ?? [],
        notified: d.dispatch?.notified ?? [],
        skipped: d.dispatch?.skipped ?? [],
        ...(d.dispatchError ? { dispatchError: d.dispatchError } : {}),
      })),
      apiCalls: from.account.calls,
      events: [...from.account.signals.events],
      metrics: emittedMetrics(from.emf),
      securityHubFindings: [...from.account.signals.findings.values()],
      ...(from.organization ? {
        organization: {
          organizationId: from.organization.organizationId,
          centralAccountId: from.organization.centralAccountId,
          memberAccountId: from.organization.memberAccountId,
          assumedRoles: from.organization.assumptions,
          rootSessions: from.organization.rootSessions,
        },
      } : {}),
      deadLetters: from.rejections.deadLetters,
      alarms: from.rejections.alarms,
    };
  }

/** A Slack post as the contract's notification: the fallback text, then each block's text. */
function slackNotification(body: string): { channel: 'slack'; subject: string; body: string } {
  const message = JSON.parse(body) as { text?: string; blocks?: Array<Record<string, any>> };
  const texts = (message.blocks ?? []).flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f: { text?: string }) => f.text), ...(b.elements ?? []).map((e: { text?: unknown }) => (typeof e.text === 'string' ? e.text : (e.text as { text?: string } | undefined)?.text))]).filter((t): t is string => typeof t === 'string');
  return { channel: 'slack', subject: message.text ?? '', body: texts.join('\n') };
}

function summary(i: Incident) {
  return { incidentId: i.incidentId, source: i.source, accessKeyId: i.accessKeyId, userName: i.userName, accountId: i.accountId };
}


export interface DrillOutput {
  matched: boolean;
  incident: ReturnType<typeof summary> | null;
  execution: { status: string; states: WorkflowRun['states'] } | null;
  account: ReturnType<SimulatedAccount['view']>;
  notifications: Array<{ channel: 'email' | 'slack'; subject: string; body: string }>;
  report: Record<string, unknown>;
  incidents: Array<ReturnType<typeof summary> & { status: string }>;
  deliveries: Array<Record<string, unknown>>;
  apiCalls: ApiCall[];
  /** The events the workflow put on an event bus (the completion event, once per execution). */
  events: DeliveredEvent[];
  /** The metrics the workflow emitted, one entry per value, in order. */
  metrics: EmittedMetric[];
  /** Security Hub's findings after the run (with securityHub=true: one per incident), as last imported. */
  securityHubFindings: Array<Record<string, unknown>>;
  /** Organization mode: the central and member accounts, and every role the responder assumed. */
  organization?: { organizationId: string; centralAccountId: string; memberAccountId: string; assumedRoles: Assumption[]; rootSessions: RootSession[] };
  /** With --restore: each incident's restore, and the account after them all. */
  restored?: { results: unknown[]; account: ReturnType<SimulatedAccount['view']> };
  /** Events the dispatcher rejected for good, as the dead-letter queue holds them. */
  deadLetters: DeadLetter[];
  /** Alarms that went to ALARM (each also an email in `notifications`). */
  alarms: FiredAlarm[];
}

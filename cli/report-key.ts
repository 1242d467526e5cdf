import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient } from '@aws-sdk/client-sfn';
import { MANUAL_EVENT_DETAIL_TYPE, MANUAL_EVENT_SOURCE } from '../lambdas/shared/events';
import { ACCESS_KEY_ID, ACCOUNT_ID_PATTERN, incidentIdFor, TEXT_LIMITS, USER_NAME } from '../lambdas/shared/incident';
import { OperationError, UsageError } from './errors';
import { describeExecution } from './incidents';
import { executionArn } from './stack';

export interface KeyReport {
  readonly accessKeyId: string;
  readonly userName?: string;
  readonly reason?: string;
  /** The account the reporter believes the key is of: a hint (the dispatcher acts in the account STS says). */
  readonly accountId?: string;
}

/** The report's fields, as the dispatcher parses a manual report (lambdas/shared/events.ts): anything else is unusable input. */
export function parseKeyReport(accessKeyId: string | undefined, userName: string | undefined, reason: string | undefined, accountId?: string): KeyReport {
  if (accessKeyId === undefined) throw new UsageError('--key is required: the access key id found (AKIA...)');
  if (!ACCESS_KEY_ID.safeParse(accessKeyId).success) throw new UsageError(`--key "${accessKeyId}" is not an access key id`);
  if (userName !== undefined && !USER_NAME.safeParse(userName).success) throw new UsageError(`--user "${userName}" is not an IAM user name`);
  if (reason !== undefined && reason.length > TEXT_LIMITS.reporterNote) throw new UsageError(`--reason is ${reason.length} characters: at most ${TEXT_LIMITS.reporterNote}`);
  if (accountId !== undefined && !ACCOUNT_ID_PATTERN.test(accountId)) throw new UsageError(`--account "${accountId}" is not a 12-digit account id`);
  return { accessKeyId, ...(userName !== undefined && { userName }), ...(reason !== undefined && { reason }), ...(accountId !== undefined && { accountId }) };
}

/**
 * Puts the report on the responder's report bus: the bus's policy admits the `reporters` and
 * explicitly denies everyone else, so IAM decides who may report. The dispatcher then runs the same
 * response as for AWS's own signals. Returns the event id.
 */
export async function putKeyReport(events: EventBridgeClient, busName: string | undefined, report: KeyReport, at: Date): Promise<string> {
  if (!busName) {
    throw new OperationError('NoReportBus', 'this deployment takes no report by hand: it has no report bus. Deploy it with -c reporters=<your role or user ARN> (the README, "Report a key by hand"); only those principals may report.');
  }
  const out = await events.send(new PutEventsCommand({
    Entries: [{ EventBusName: busName, Source: MANUAL_EVENT_SOURCE, DetailType: MANUAL_EVENT_DETAIL_TYPE, Detail: JSON.stringify(report), Time: at }],
  }));
  const [entry] = out.Entries ?? [];
  if ((out.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    const code = entry?.ErrorCode ?? 'PutEventsFailed';
    const denied = /AccessDenied|NotAuthorized/i.test(code);
    throw new OperationError(denied ? 'AccessDenied' : code, `the report was not accepted: ${code}: ${entry?.ErrorMessage ?? 'no reason given'}${denied ? ' (only the stack\'s `reporters` may report a key)' : ''}`);
  }
  return entry.EventId;
}

/**
 * The execution a report started: its name is `<key>-<UTC day of dispatch>`, so the report's day
 * and the next one (a report at midnight) are looked at, until `timeoutMs`.
 */
export async function waitForExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  accessKeyId: string,
  reportedAt: Date,
  wait: { readonly sleep: (ms: number) => Promise<void>; readonly now: () => Date; readonly timeoutMs: number; readonly until: 'started' | 'finished' },
) {
  const deadline = wait.now().getTime() + wait.timeoutMs;
  const ids = [...new Set([reportedAt, new Date(reportedAt.getTime() + 86_400_000)].map((d) => incidentIdFor(accessKeyId, d)))];
  for (;;) {
    for (const id of ids) {
      const execution = await describeExecution(sfn, executionArn(stateMachineArn, id));
      if (execution && (wait.until === 'started' || execution.status !== 'RUNNING')) return { incidentId: id, execution };
    }
    if (wait.now().getTime() >= deadline) {
      throw new OperationError('Timeout', `no ${wait.until === 'started' ? '' : 'finished '}execution for key ${accessKeyId} after ${Math.round(wait.timeoutMs / 1000)} s (looked for ${ids.join(', ')}): a key the responder may not contain (of an account it does not cover, unknown to IAM) gets no execution, only a [REFUSED] or [UNRESOLVED] message on the topic; else see the dispatcher's log and the dead-letter queue (\`exposed-key-responder doctor\`)`);
    }
    await wait.sleep(2000);
  }
}

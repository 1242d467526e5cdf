import { ExecutionListItem, ExecutionStatus, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { OUTCOMES } from '../../lambdas/report/contract';
import { mapLimit } from '../../lambdas/shared/map-limit';
import { parseDuration } from '../args';
import { defineCommand, table } from '../command';
import { UsageError } from '../errors';
import { IncidentRecord, readRecord } from '../incidents';
import { findDeployment } from '../stack';

const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
/** At most this many incidents are listed (newest first). */
const MAX_LISTED = 200;

/** From the report to the key set Inactive, in seconds, as the record says; undefined when it was not. */
export function secondsToContain(record: IncidentRecord): number | undefined {
  const key = record.containment.find((c) => c.action === 'deactivate-key' && c.status === 'done' && c.at);
  const ms = key?.at ? Date.parse(key.at) - Date.parse(record.incident.detectedAt) : Number.NaN;
  return Number.isNaN(ms) ? undefined : Math.round(ms / 100) / 10;
}

export const list = defineCommand({
  name: 'list',
  summary: 'incidents from the workflow\'s executions: id, account, key, user, outcome, started, time to contain',
  usage: `usage: exposed-key-responder list [--since 7d] [--status STATUS]...
  --since DURATION  executions started within it (d, h or m; default 7d; Step Functions keeps 90 days)
  --status STATUS   an execution status (${EXECUTION_STATUSES.join(', ')}) or a record outcome
                    (${OUTCOMES.join(', ')}); repeat for several`,
  options: { since: { type: 'string', default: '7d' }, status: { type: 'string', multiple: true } },
  positionals: 0,
  run: async ({ values }, ctx) => {
    const since = new Date(ctx.now().getTime() - parseDuration(values.since ?? '7d'));
    const wanted = values.status ?? [];
    const unknown = wanted.filter((s) => !(EXECUTION_STATUSES as readonly string[]).includes(s) && !(OUTCOMES as readonly string[]).includes(s));
    if (unknown.length > 0) throw new UsageError(`unknown --status ${unknown.join(', ')}: one of ${[...EXECUTION_STATUSES, ...OUTCOMES].join(', ')}`);
    const d = await findDeployment(ctx);
    ctx.progress(`listing executions since ${since.toISOString()}...`);
    const executions: ExecutionListItem[] = [];
    let nextToken: string | undefined;
    do {
      const out = await ctx.clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: d.stateMachineArn, maxResults: 100, ...(nextToken ? { nextToken } : {}) }));
      const page = out.executions ?? [];
      // Newest first: stop at the first one older than --since.
      executions.push(...page.filter((e) => (e.startDate?.getTime() ?? 0) >= since.getTime()));
      nextToken = page.some((e) => (e.startDate?.getTime() ?? 0) < since.getTime()) ? undefined : out.nextToken;
    } while (nextToken && executions.length < MAX_LISTED);
    const unread: string[] = [];
    const rows = await mapLimit(executions.slice(0, MAX_LISTED), 8, async (e) => {
      const found = await readRecord(ctx.clients.s3, d.bucket, e.name ?? '').catch((err: unknown) => void unread.push((err as Error).name));
      const r = found?.record;
      return {
        incidentId: e.name ?? '',
        // Organization mode: a member account's incidents are recorded here too; the record says whose.
        accountId: r?.incident.accountId ?? null,
        accessKeyId: r?.incident.accessKeyId ?? (e.name ?? '').replace(/-\d{8}$/, ''),
        userName: r?.incident.userName ?? null,
        status: e.status as ExecutionStatus,
        outcome: r?.outcome ?? null,
        started: e.startDate?.toISOString() ?? null,
        secondsToContain: r ? (secondsToContain(r) ?? null) : null,
      };
    });
    if (unread.length > 0) ctx.progress(`${unread.length} record(s) could not be read (${[...new Set(unread)].join(', ')}): their user, outcome and time are shown as -. With incidentReaders, only those principals may read records.`);
    const selected = wanted.length === 0 ? rows : rows.filter((r) => wanted.includes(r.status) || (r.outcome !== null && wanted.includes(r.outcome)));
    const text = selected.length === 0
      ? `no incident since ${since.toISOString()}${wanted.length > 0 ? ` with status ${wanted.join(' or ')}` : ''}`
      : table(['INCIDENT', 'ACCOUNT', 'KEY', 'USER', 'EXECUTION', 'OUTCOME', 'STARTED', 'CONTAINED IN'], selected.map((r) => [
          r.incidentId, r.accountId ?? '-', r.accessKeyId, r.userName ?? '-', r.status, r.outcome ?? '-', r.started ?? '-', r.secondsToContain === null ? '-' : `${r.secondsToContain} s`,
        ]));
    return { json: { since: since.toISOString(), incidents: selected }, text };
  },
});

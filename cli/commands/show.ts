import { reportKeys } from '../../lambdas/report/record';
import { defineCommand } from '../command';
import { describeExecution, parseIncidentId, readObject, readRecord, unknownIncident } from '../incidents';
import { executionArn, findDeployment, responderAccount } from '../stack';

export const show = defineCommand({
  name: 'show',
  summary: 'an incident: its execution and its record (report.md; report.json with --json)',
  usage: 'usage: exposed-key-responder show <incidentId>',
  options: {},
  positionals: 1,
  run: async ({ values, positionals }, ctx) => {
    const incidentId = parseIncidentId(positionals[0]);
    const d = await findDeployment(ctx);
    // The record (report.json) is read in text mode too, for its account; unreadable there, report.md still shows.
    const [execution, record, markdown] = await Promise.all([
      describeExecution(ctx.clients.sfn, executionArn(d.stateMachineArn, incidentId)),
      values.json ? readRecord(ctx.clients.s3, d.bucket, incidentId) : readRecord(ctx.clients.s3, d.bucket, incidentId).catch(() => undefined),
      values.json ? Promise.resolve(undefined) : readObject(ctx.clients.s3, d.bucket, reportKeys(incidentId).markdownKey),
    ]);
    if (!execution && !record && markdown === undefined) throw unknownIncident(incidentId);
    const exec = execution && {
      status: execution.status,
      startDate: execution.startDate?.toISOString(),
      ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
      ...(execution.error ? { error: execution.error, cause: execution.cause } : {}),
      ...(execution.redriveCount ? { redriveCount: execution.redriveCount } : {}),
    };
    const head = exec
      ? `execution ${incidentId}: ${exec.status}, started ${exec.startDate}${exec.stopDate ? `, stopped ${exec.stopDate}` : ''}${exec.error ? ` (${exec.error}: ${exec.cause ?? ''})` : ''}`
      : `execution ${incidentId}: none (kept by Step Functions for 90 days after it ends)`;
    const accountId = record?.record.incident.accountId;
    const own = responderAccount(d).accountId;
    const member = accountId !== undefined && accountId !== own
      ? `\naccount ${accountId}: a member account (the responder's is ${own}); restore acts there with --member-role <role> or --member-profile <profile>`
      : '';
    return {
      json: { incidentId, accountId: accountId ?? null, execution: exec ?? null, record: record ? JSON.parse(record.text) : null },
      text: `${head}${member}\n\n${markdown ?? `no record in s3://${d.bucket}/${reportKeys(incidentId).markdownKey} yet`}`,
    };
  },
});

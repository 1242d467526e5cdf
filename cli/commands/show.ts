import { reportKeys } from '../../lambdas/report/record';
import { defineCommand } from '../command';
import { describeExecution, parseIncidentId, readObject, readRecord, unknownIncident } from '../incidents';
import { executionArn, findDeployment } from '../stack';

export const show = defineCommand({
  name: 'show',
  summary: 'an incident: its execution and its record (report.md; report.json with --json)',
  usage: 'usage: exposed-key-responder show <incidentId>',
  options: {},
  positionals: 1,
  run: async ({ values, positionals }, ctx) => {
    const incidentId = parseIncidentId(positionals[0]);
    const d = await findDeployment(ctx);
    const [execution, record, markdown] = await Promise.all([
      describeExecution(ctx.clients.sfn, executionArn(d.stateMachineArn, incidentId)),
      values.json ? readRecord(ctx.clients.s3, d.bucket, incidentId) : Promise.resolve(undefined),
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
    return {
      json: { incidentId, execution: exec ?? null, record: record ? JSON.parse(record.text) : null },
      text: `${head}\n\n${markdown ?? `no record in s3://${d.bucket}/${reportKeys(incidentId).markdownKey} yet`}`,
    };
  },
});

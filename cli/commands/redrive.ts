import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { defineCommand } from '../command';
import { OperationError } from '../errors';
import { parseIncidentId, unknownIncident } from '../incidents';
import { executionArn, findDeployment } from '../stack';

export const redrive = defineCommand({
  name: 'redrive',
  summary: 'run a failed execution again from the state that failed (Step Functions redrive)',
  usage: `usage: exposed-key-responder redrive <incidentId>
  Step Functions redrives an execution that FAILED, TIMED_OUT or was ABORTED in the last 14 days;
  every step is idempotent, so what was done is not done twice.`,
  options: {},
  positionals: 1,
  run: async ({ positionals }, ctx) => {
    const incidentId = parseIncidentId(positionals[0]);
    const d = await findDeployment(ctx);
    const arn = executionArn(d.stateMachineArn, incidentId);
    ctx.progress(`redriving ${arn}...`);
    let out;
    try {
      out = await ctx.clients.sfn.send(new RedriveExecutionCommand({ executionArn: arn }));
    } catch (err) {
      const name = (err as Error).name;
      if (name === 'ExecutionDoesNotExist') throw unknownIncident(incidentId);
      if (name === 'ExecutionNotRedrivable') {
        throw new OperationError('NotRedrivable', `execution ${incidentId} cannot be redriven: ${(err as Error).message} (only an execution that failed, timed out or was aborted in the last 14 days can be; see \`exposed-key-responder show ${incidentId}\`)`, { cause: err });
      }
      throw err;
    }
    const redriveDate = out.redriveDate?.toISOString();
    return { json: { incidentId, executionArn: arn, redriveDate }, text: `execution ${incidentId} redriven at ${redriveDate}: follow it with \`exposed-key-responder show ${incidentId}\`` };
  },
});

import { defineCommand } from '../command';
import { parseKeyReport, putKeyReport, waitForExecution } from '../report-key';
import { findDeployment } from '../stack';

export const report = defineCommand({
  name: 'report',
  summary: 'report a key a person found: starts the same response as AWS\'s own signals',
  usage: `usage: exposed-key-responder report --key AKIA... [--user NAME] [--account ID] [--reason TEXT] [--no-wait]
  Puts the report on the stack's report bus (only with -c reporters=...: the bus admits those
  principals and explicitly denies everyone else). The dispatcher finds the key's owner in IAM
  (a --user that does not own the key is never changed) and starts the response. In organization
  mode it acts in the account STS says owns the key, when that is a member account it covers.
  --key ID       the access key id found
  --user NAME    the user it was found with (a hint: IAM says who owns the key)
  --account ID   the account you believe it is of (a hint: STS says whose the key is)
  --reason TEXT  where and how it was found (at most 500 characters, quoted as your words)
  --no-wait      do not wait (up to 2 minutes) for the execution to start`,
  options: { key: { type: 'string' }, user: { type: 'string' }, account: { type: 'string' }, reason: { type: 'string' }, 'no-wait': { type: 'boolean', default: false } },
  positionals: 0,
  run: async ({ values }, ctx) => {
    const keyReport = parseKeyReport(values.key, values.user, values.reason, values.account);
    const d = await findDeployment(ctx);
    const at = ctx.now();
    // Never refused here for its account: the dispatcher decides (STS in organization mode, IAM in one account).
    if (d.centralEventBusArn) ctx.progress('organization mode: the responder acts in the account STS says owns the key, when it is a member account it covers');
    ctx.progress(`reporting key ${keyReport.accessKeyId} on ${d.reportBusName ?? '(no report bus)'}...`);
    const eventId = await putKeyReport(ctx.clients.events, d.reportBusName, keyReport, at);
    if (values['no-wait']) {
      return { json: { eventId, reportedAt: at.toISOString() }, text: `reported (event ${eventId}); follow it with \`exposed-key-responder list\`` };
    }
    ctx.progress('waiting for the execution to start...');
    const { incidentId, execution } = await waitForExecution(ctx.clients.sfn, d.stateMachineArn, keyReport.accessKeyId, at, { sleep: ctx.sleep, now: ctx.now, timeoutMs: 120_000, until: 'started' });
    return {
      json: { eventId, reportedAt: at.toISOString(), incidentId, executionArn: execution.executionArn, status: execution.status },
      text: `reported (event ${eventId}): incident ${incidentId}, execution ${execution.status}; follow it with \`exposed-key-responder show ${incidentId}\``,
    };
  },
});

import { findDeployment, responderAccount } from '../stack';
import { accessAccount, parseMemberAccess } from '../member-access';
import { parseIncidentId } from '../incidents';
import { defineCommand } from '../command';
import { restoreIncident } from '../restore/restore';
import { UsageError } from '../errors';

export const restore = defineCommand({
  name: 'restore',
  summary: 'undo what the responder changed on the incident\'s own user (after a false positive, or once the user is clean)',
  usage: `usage: exposed-key-responder restore <incidentId> [--reactivate-key] [--foothold <id>]... [--yes]
                                        [--member-role <name> | --member-profile <profile>]
  Undoes exactly what the record says the responder changed on the incident's user: the revoke
  policy, the quarantine (managed, or its inline fallback); a policy found in place before the
  response is put back as it was, one the responder did not write is never touched. Refuses, and
  changes nothing, when the record is missing or a policy is no longer what the responder wrote.
  Prints its plan and asks unless --yes; writes restore.json next to the record and tells the topic.
  --reactivate-key   also set the exposed key Active again. AWS advises replacing an exposed key,
                     not reusing it: rotate it instead when you can
  --foothold ID      also undo this foothold of the attacker (an id of the record's footholds), one
                     flag each; footholds are never restored otherwise
  --yes              do not ask
  --member-role NAME      organization mode, an incident of a member account: a role of that account
                          your credentials may assume (e.g. OrganizationAccountAccessRole), to act there
  --member-profile NAME   or an AWS CLI profile whose credentials are of that account
  Restore acts only in the account of the record; the credentials are checked to be of it first.`,
  options: {
    'reactivate-key': { type: 'boolean', default: false },
    foothold: { type: 'string', multiple: true },
    yes: { type: 'boolean', default: false },
    'member-role': { type: 'string' },
    'member-profile': { type: 'string' },
  },
  positionals: 1,
  run: async ({ values, positionals }, ctx) => {
    const incidentId = parseIncidentId(positionals[0]);
    if (values.json && !values.yes) throw new UsageError('--json cannot ask: pass --yes (after reading the plan without --json)');
    const member = parseMemberAccess(values);
    const deployment = await findDeployment(ctx);
    const own = responderAccount(deployment);
    const result = await restoreIncident(
      incidentId,
      { reactivateKey: values['reactivate-key'] ?? false, yes: values.yes ?? false, footholds: values.foothold ?? [] },
      { ...deployment, ...own },
      {
        ...ctx.clients,
        progress: ctx.progress,
        now: ctx.now,
        confirm: ctx.confirm,
        inAccount: (accountId) => accessAccount(accountId, incidentId, member, { sts: ctx.clients.sts, forAccount: ctx.clients.forAccount, partition: own.partition }),
      },
    );
    if (result.accountId === own.accountId && (member.memberRole ?? member.memberProfile) !== undefined) {
      ctx.progress(`--member-role/--member-profile not used: incident ${incidentId} is of the responder's own account ${own.accountId}`);
    }
    const lines = {
      restored: [`restored incident ${incidentId} (user ${result.userName} of account ${result.accountId}):`, ...result.done.map((d) => `  done: ${d}`), `  written: s3://${deployment.bucket}/${result.recordKey}`],
      'nothing-to-do': [`incident ${incidentId}: nothing to restore`],
      declined: [`incident ${incidentId}: nothing was changed (not confirmed)`],
    }[result.status];
    return { json: result, text: [...lines, ...result.kept.map((k) => `  kept: ${k}`)].join('\n'), exitCode: result.status === 'declined' ? 1 : 0 };
  },
});

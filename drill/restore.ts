// `npm run drill -- ... --restore`: after the response, the operator's `restore <incidentId> --yes`
// (the command line's own code, cli/restore/restore.ts) against the simulated account, for each
// incident; the account is then printed as it is after the restore. In organization mode the
// records are the central account's and the incident's account is a member: the operator restores
// there through a role of the member account (`--member-role`, drill/simulated-sts.ts
// DRILL_OPERATOR_ROLE_NAME), as the command line does.
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { explain } from '../cli/errors';
import { accessAccount, AccountClientFactory } from '../cli/member-access';
import { restoreIncident, RestoreResult } from '../cli/restore/restore';
import { resourceArns } from './lambda-environments';
import { Drill } from './run-drill';
import { DRILL_OPERATOR_ROLE_NAME } from './simulated-sts';

export type DrillRestore = RestoreResult | { readonly incidentId: string; readonly status: 'refused'; readonly error: string };

/** Restores every incident the drill ran (each once), in order; a refusal is kept as the result, never thrown. */
export async function restoreAll(drill: Drill, progress: (line: string) => void): Promise<{ results: DrillRestore[]; account: ReturnType<Drill['account']['view']>; memberRole?: string }> {
  const central = drill.organization?.centralAccountId ?? drill.account.accountId;
  const arns = resourceArns(central);
  const ids = [...new Set(drill.deliveries.flatMap((d) => d.executions.filter((e) => e.status !== 'SKIPPED').map((e) => e.incident.incidentId)))];
  // The SDK's clients, as the command line builds them: the drill routes them to the simulated account.
  const sts = new STSClient({});
  const forAccount: AccountClientFactory = (access) => ({ iam: new IAMClient(access), sts: new STSClient(access), ec2: (region) => new EC2Client({ ...access, region }) });
  const deps = {
    iam: new IAMClient({}), s3: new S3Client({}), sns: new SNSClient({}), sts,
    ec2: (region: string) => new EC2Client({ region }),
    progress, now: () => new Date(), confirm: async () => true,
  };
  const target = { bucket: arns.bucket, topicArn: arns.topic, quarantinePolicyArn: arns.quarantinePolicy, accountId: central, partition: 'aws' };
  const results: DrillRestore[] = [];
  for (const incidentId of ids) {
    const member = drill.organization ? { memberRole: DRILL_OPERATOR_ROLE_NAME } : {};
    progress(`restore ${incidentId} --yes${drill.organization ? ` --member-role ${DRILL_OPERATOR_ROLE_NAME}` : ''}`);
    try {
      const inAccount = (accountId: string) => accessAccount(accountId, incidentId, member, { sts, forAccount, partition: 'aws' });
      results.push(await restoreIncident(incidentId, { reactivateKey: false, yes: true, footholds: [] }, target, { ...deps, inAccount }));
    } catch (err) {
      const { message } = explain(err, `restore ${incidentId}`);
      progress(message);
      results.push({ incidentId, status: 'refused', error: message });
    }
  }
  return { results, account: drill.account.view(), ...(drill.organization ? { memberRole: DRILL_OPERATOR_ROLE_NAME } : {}) };
}

/** The restore, for the drill's human timeline. */
export function formatRestore(restored: Awaited<ReturnType<typeof restoreAll>>): string {
  const lines = ['', `restore (the operator command, --yes${restored.memberRole ? ` --member-role ${restored.memberRole}` : ''}):`];
  for (const r of restored.results) {
    if (r.status === 'refused') {
      lines.push(`  ${r.incidentId}: refused: ${r.error}`);
      continue;
    }
    lines.push(`  ${r.incidentId}: ${r.status} (user ${r.userName} of account ${r.accountId}${r.by ? `, as ${r.by}` : ''})`, ...r.done.map((d) => `    done: ${d}`), ...r.kept.map((k) => `    kept: ${k}`));
  }
  lines.push('', 'account after the restore:');
  for (const u of restored.account.users) {
    const keys = u.accessKeys.map((k) => `${k.accessKeyId} ${k.status}`).join(', ') || 'no key';
    const policies = [...Object.keys(u.inlinePolicies), ...u.attachedPolicyArns].join(', ') || 'no policy';
    lines.push(`  ${u.userName}: ${keys}; ${policies}`);
  }
  return lines.join('\n');
}

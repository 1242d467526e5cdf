// `npm run drill -- ... --restore`: after the response, the operator's `restore <incidentId> --yes`
// (the command line's own code, cli/restore/restore.ts) against the simulated account, for each
// incident; the account is then printed as it is after the restore.
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { explain } from '../cli/errors';
import { restoreIncident, RestoreResult } from '../cli/restore/restore';
import { resourceArns } from './lambda-environments';
import { Drill } from './run-drill';

export type DrillRestore = RestoreResult | { readonly incidentId: string; readonly status: 'refused'; readonly error: string };

/** Restores every incident the drill ran (each once), in order; a refusal is kept as the result, never thrown. */
export async function restoreAll(drill: Drill, progress: (line: string) => void): Promise<{ results: DrillRestore[]; account: ReturnType<Drill['account']['view']> }> {
  const arns = resourceArns(drill.account.accountId);
  const ids = [...new Set(drill.deliveries.flatMap((d) => d.executions.filter((e) => e.status !== 'SKIPPED').map((e) => e.incident.incidentId)))];
  // The SDK's clients, as the command line builds them: the drill routes them to the simulated account.
  const deps = {
    iam: new IAMClient({}), s3: new S3Client({}), sns: new SNSClient({}), sts: new STSClient({}),
    ec2: (region: string) => new EC2Client({ region }),
    progress, now: () => new Date(), confirm: async () => true,
  };
  const results: DrillRestore[] = [];
  for (const incidentId of ids) {
    progress(`restore ${incidentId} --yes`);
    try {
      results.push(await restoreIncident(incidentId, { reactivateKey: false, yes: true, footholds: [] }, { bucket: arns.bucket, topicArn: arns.topic, quarantinePolicyArn: arns.quarantinePolicy }, deps));
    } catch (err) {
      const { message } = explain(err, `restore ${incidentId}`);
      progress(message);
      results.push({ incidentId, status: 'refused', error: message });
    }
  }
  return { results, account: drill.account.view() };
}

/** The restore, for the drill's human timeline. */
export function formatRestore(restored: Awaited<ReturnType<typeof restoreAll>>): string {
  const lines = ['', 'restore (the operator command, --yes):'];
  for (const r of restored.results) {
    if (r.status === 'refused') {
      lines.push(`  ${r.incidentId}: refused: ${r.error}`);
      continue;
    }
    lines.push(`  ${r.incidentId}: ${r.status} (user ${r.userName})`, ...r.done.map((d) => `    done: ${d}`), ...r.kept.map((k) => `    kept: ${k}`));
  }
  lines.push('', 'account after the restore:');
  for (const u of restored.account.users) {
    const keys = u.accessKeys.map((k) => `${k.accessKeyId} ${k.status}`).join(', ') || 'no key';
    const policies = [...Object.keys(u.inlinePolicies), ...u.attachedPolicyArns].join(', ') || 'no policy';
    lines.push(`  ${u.userName}: ${keys}; ${policies}`);
  }
  return lines.join('\n');
}

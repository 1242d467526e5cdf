import { revokedBefore } from '../lambdas/shared/policies';
import { signalLines } from './signals-timeline';
import type { Drill, DrillConfig, DrillOutput } from './run-drill';

function pad(n: number, width = 5): string {
  return String(n).padStart(width);
}

/** The human timeline of a drill: what came in, what ran, what the account looks like after. */
export function formatTimeline(output: DrillOutput, drill: Drill, config: DrillConfig): string {
  const lines: string[] = [];
  const before = drill.before;
  lines.push(`exposed-key-responder fire drill${config.dryRun ? ' (DRY RUN: nothing is changed)' : ''}`);
  lines.push(`account ${drill.account.accountId}: ${before.users.length} user(s), ${before.users.reduce((n, u) => n + u.accessKeys.length, 0)} access key(s)`);
  const org = output.organization;
  if (org) {
    lines.push(`organization ${org.organizationId}: the responder runs in central account ${org.centralAccountId}; account ${org.memberAccountId} is a member, acted on through its member role`);
    for (const r of org.assumedRoles) lines.push(`  assumed ${r.roleArn} as session ${r.sessionName}`);
    for (const r of org.rootSessions) lines.push(`  root session in ${r.targetPrincipal} (sts:AssumeRoot, ${r.taskPolicyArn}, ${r.durationSeconds} s)`);
  }
  for (const [i, d] of drill.deliveries.entries()) {
    lines.push('');
    lines.push(`event ${i + 1}: ${d.matchedRules.length ? `matched ${d.matchedRules.join(', ')}` : 'no rule matches: not an incident'}`);
    if (d.dispatchError) {
      const where = d.deadLetter ? `it ${d.deadLetter.attempts} times (Lambda's retries); it is in the dead-letter queue ${d.deadLetter.queue} and its alarm emails people` : 'it';
      lines.push(`  dispatcher rejected ${where}: ${d.dispatchError.message}`);
    }
    for (const s of d.dispatch?.skipped ?? []) lines.push(`  not contained: ${s.about}: ${s.reason}`);
    for (const n of d.dispatch?.notified ?? []) lines.push(`  people told: ${n.subject}`);
    for (const e of d.executions) {
      if (e.status === 'SKIPPED') {
        lines.push(`  duplicate: ${e.incident.incidentId} already has a response; no second execution`);
        continue;
      }
      lines.push(`  incident ${e.incident.incidentId}: key ${e.incident.accessKeyId} of ${e.incident.userName} (${e.incident.source}) -> ${e.status}`);
      for (const s of e.states) {
        const extra = [s.retries ? `${s.retries} retr${s.retries === 1 ? 'y' : 'ies'}` : '', s.error ? `error ${s.error}` : ''].filter(Boolean).join(', ');
        lines.push(`    ${pad(s.startMs)} ms ${pad(s.endMs)} ms  ${s.name}${extra ? `  (${extra})` : ''}`);
      }
      if (e.error) lines.push(`    failed: ${e.error.Error}: ${e.error.Cause ?? ''}`);
    }
  }
  lines.push('');
  lines.push('account after:');
  for (const u of output.account.users) {
    const was = before.users.find((b) => b.userName === u.userName);
    const keys = u.accessKeys.map((k) => {
      const prev = was?.accessKeys.find((p) => p.accessKeyId === k.accessKeyId)?.status;
      return `${k.accessKeyId} ${k.status}${prev && prev !== k.status ? ` (was ${prev})` : ' (unchanged)'}`;
    });
    lines.push(`  ${u.userName}: ${keys.join('; ') || 'no access keys'}`);
    for (const [name, doc] of Object.entries(u.inlinePolicies)) {
      if (was && name in was.inlinePolicies) continue;
      const at = revokedBefore(doc);
      lines.push(`    + inline policy ${name}${at ? ` (denies sessions issued before ${at})` : ''}`);
    }
    for (const arn of u.attachedPolicyArns) if (!was?.attachedPolicyArns.includes(arn)) lines.push(`    + attached ${arn}`);
  }
  for (const k of before.rootAccessKeys ?? []) {
    const now = output.account.rootAccessKeys?.find((r) => r.accessKeyId === k.accessKeyId);
    lines.push(`  root user: ${k.accessKeyId} ${now ? `${now.status} (unchanged)` : 'DELETED (irreversible)'}`);
  }
  for (const i of output.account.instances) {
    const was = before.instances.find((b) => b.region === i.region && b.instanceId === i.instanceId)?.state;
    if (was !== i.state) lines.push(`  instance ${i.instanceId} (${i.region}): ${i.state}${was ? ` (was ${was})` : ''}`);
  }
  for (const sn of output.account.snapshots) {
    lines.push(`  + snapshot ${String(sn.snapshotId)} of ${String(sn.volumeId)} (instance ${String(sn.instanceId)}, ${String(sn.region)})`);
  }
  lines.push('');
  lines.push(`notifications (${output.notifications.length}):`);
  for (const n of output.notifications) {
    lines.push(`  ${n.channel}: ${n.subject}`);
    lines.push(...n.body.split('\n').map((l) => `    | ${l}`));
  }
  lines.push(...signalLines(output));
  const calls = output.apiCalls;
  lines.push('');
  lines.push(`AWS API calls: ${calls.length} (${calls.filter((c) => c.error).length} answered with an error)`);
  return lines.join('\n');
}

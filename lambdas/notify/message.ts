// The email: a pure rendering of the incident record (lambdas/report/record.ts). Nothing here
// decides: the outcome, what is still open, the follow-ups and the undo steps are the record's.
import { costLine, costSummary } from '../report/cost';
import { footholdGroups, IncidentReport, leftBehindItems, nothingFound, searchGapLine, OpenItem, OUTCOME_TAGS, rootKeyDeletion, secondLookLines, sharedSearchLines, verificationSkippedReason } from '../report/record';
import { fitBetween } from '../shared/text';

export interface Message {
  readonly subject: string;
  readonly body: string;
}

/** SNS email subjects: at most 100 printable ASCII characters, no line breaks. */
export const MAX_SUBJECT = 100;
/** Notable calls listed in the email; report.json has them all. */
export const MAX_NOTABLE = 15;
/** Instances in the email's cost exposure (it may stand near the top); report.json has them all. */
export const MAX_COST_LINES = 10;

export function subjectFor(report: IncidentReport): string {
  const { incident } = report;
  // eslint-disable-next-line no-control-regex
  const ascii = (text: string) => text.replace(/[^\x20-\x7e]/g, '?');
  const head = ascii(`[${OUTCOME_TAGS[report.outcome]}] Exposed key ${incident.accessKeyId} (`);
  const tail = ascii(`) in ${incident.accountId}`);
  // A long user name (IAM allows 64 characters) is shortened, never the account id or the key.
  const who = rootKeyDeletion(report.containment) ? 'root, key DELETED' : incident.userName;
  return fitBetween(head, ascii(who), tail, MAX_SUBJECT);
}

/** Numbered items, each command on its own line, ready to copy. */
export function numbered(items: OpenItem[]): string[] {
  return items.flatMap((item, n) => [`  ${n + 1}. ${item.what}`, ...(item.command ? [`     ${item.command}`] : [])]);
}

function facts(report: IncidentReport): string[] {
  const i = report.incident;
  return [
    `Account:      ${i.accountId}`,
    `User:         ${i.userName}${i.principalType === 'root' ? ' (the account root user)' : ''}${i.protectedPrincipal ? ' (protected)' : ''}`,
    `Access key:   ${i.accessKeyId}`,
    `Reported by:  ${i.detail}`,
    `Detected at:  ${i.detectedAt}`,
    ...(i.leakLocation ? [`Leaked at:    ${i.leakLocation}`] : []),
    ...(i.awsCaseId ? [`AWS case:     ${i.awsCaseId}`] : []),
    `Incident id:  ${i.incidentId}`,
    ...(report.executionId ? [`Execution:    ${report.executionId}`] : []),
    ...(report.recordUrl ? [`Record:       ${report.recordUrl}`] : []),
  ];
}

function done(report: IncidentReport): string[] {
  const lines = [report.dryRun ? 'What would have been done (dry run: nothing was changed):' : 'What was done:'];
  if (report.containment.length === 0) lines.push('  (containment did not run)');
  for (const c of report.containment) {
    // A dry run's detail already says "would ...".
    const tag = c.status === 'dry-run' ? '' : `[${c.status === 'failed' ? 'FAILED' : c.status}] `;
    lines.push(`  - ${tag}${c.status === 'failed' ? `${c.action}: ` : ''}${c.detail}${c.at && c.status !== 'dry-run' ? ` (${c.at})` : ''}`);
  }
  const v = report.verification;
  if (v && v.status === 'skipped') lines.push(`  Verification: ${verificationSkippedReason(report.containment)}.`);
  else if (v) {
    lines.push(
      `  Verification (${v.status}, ${v.checkedAt}): key ${v.keyStatus ?? 'not found'}, sessions revoked before ${v.sessionsRevokedBefore ?? 'none'}, quarantine policy ${v.quarantineAttached ? 'attached' : 'NOT attached'}.`,
    );
    for (const k of v.otherKeys) lines.push(`  other key ${k.accessKeyId}: ${k.status} (left as it was)`);
    for (const p of v.problems) lines.push(`  ${v.status === 'dry-run' ? 'would fix' : 'problem'}: ${p}`);
  }
  return lines;
}

function found(report: IncidentReport): string[] {
  const a = report.activity;
  if (!a) return [];
  const regions = Object.entries(a.byRegion).sort((x, y) => y[1] - x[1]).map(([r, n]) => `${r} ${n}`).join(', ');
  const lines = [
    `What the key did (CloudTrail, last ${a.lookback.days} days, ${a.regions.length} regions searched):`,
    `  ${a.eventCount} event(s)${a.firstSeen ? `, first ${a.firstSeen}, last ${a.lastSeen ?? a.firstSeen}` : ''}${regions ? `; by region: ${regions}` : ''}`,
  ];
  const gap = searchGapLine(report.unsearchedRegions);
  if (gap) lines.push(`  ${gap}`);
  lines.push(...sharedSearchLines(a.sharedSearchProblems).map((l) => `  ${l}`));
  if (a.sourceIps.length) lines.push(`  source IPs: ${a.sourceIps.slice(0, 5).map((i) => `${i.value} (${i.count})`).join(', ')}`);
  if (a.notable.length) {
    lines.push('  notable calls (time, region, source IP, call):');
    for (const n of a.notable.slice(0, MAX_NOTABLE)) {
      lines.push(`    ${n.eventTime}  ${n.region}  ${n.sourceIp ?? '-'}  ${n.eventName}${n.errorCode ? ` (failed: ${n.errorCode})` : ''}: ${n.summary}`);
    }
    if (a.notable.length > MAX_NOTABLE) lines.push(`    ... and ${a.notable.length - MAX_NOTABLE} more in the record`);
  }
  const l = report.leftBehind;
  if (l) {
    const created = leftBehindItems(l);
    lines.push('What it left behind:', ...(created.length ? created.map((c) => `  - ${c}`) : [`  ${nothingFound(report.unsearchedRegions)}`]));
  }
  return lines;
}

function evidence(report: IncidentReport): string[] {
  const e = report.evidence;
  if (!e || e.snapshots.length === 0) return e?.skipped ? [`Evidence: none preserved: ${e.skipped}.`] : [];
  return [
    report.dryRun ? 'Evidence (EBS snapshots that would be taken):' : 'Evidence (EBS snapshots):',
    ...e.snapshots.map((s) => `  - ${s.instanceId} (${s.region}): ${s.status === 'dry-run' ? 'would snapshot' : s.status}${s.snapshotIds.length ? `: ${s.snapshotIds.join(', ')}` : ''}`),
  ];
}

/** The cost exposure: near the top while an instance is still running, with the evidence otherwise. */
function cost(report: IncidentReport, running: boolean): string[] {
  const c = report.costExposure;
  if (!c || (c.running > 0) !== running) return [];
  const more = c.instances.length - MAX_COST_LINES;
  return [`${costSummary(c)}:`, ...c.instances.slice(0, MAX_COST_LINES).map((e) => `  - ${costLine(e)}`), ...(more > 0 ? [`  ... and ${more} more in the record`] : [])];
}

function block(lines: string[]): string[] {
  return lines.length > 0 ? ['', ...lines] : [];
}

/** The email: the outcome and what is still open first (commands ready to run), then the details. Pure. */
export function buildMessage(report: IncidentReport): Message {
  const body = [
    report.headline,
    '',
    report.stillOpen.length > 0 ? 'Still open, do this first:' : 'Still open: nothing, containment is in place.',
    ...numbered(report.stillOpen),
    ...block(cost(report, true)),
    ...block(report.notes),
    '',
    ...facts(report),
    '',
    ...done(report),
    ...footholdGroups(report.footholds).flatMap((g) => block([`${g.title}:`, ...numbered(g.items)])),
    ...block(secondLookLines(report.secondLook)),
    ...block(report.failures.length > 0 ? ['What failed:', ...report.failures.map((f) => `  - ${f.source}: ${f.what}: ${f.error}`)] : []),
    ...block(found(report)),
    ...block(evidence(report)),
    ...block(cost(report, false)),
    ...block(report.supportCase ? [report.supportCase] : []),
    '',
    'Then:',
    ...report.followUps.map((f, n) => `  ${n + 1}. ${f}`),
    ...block(report.undo.length > 0 ? ['Undo, once the user is clean (exactly what the responder changed):', ...numbered(report.undo)] : []),
    '',
    'Where to look:',
    ...report.links.map((l) => `  - ${l.label}: ${l.url}`),
  ].join('\n');
  return { subject: subjectFor(report), body };
}

// The text AWS support is told: a pure rendering of the incident record (lambdas/report/record.ts).
import { costLine, costSummary } from '../report/cost';
import { footholdGroups, IncidentReport, leftBehindItems, nothingFound, searchGapLine, OpenItem, rootKeyDeletion, secondLookLines } from '../report/record';
import type { Incident } from '../shared/incident';
import { fitBetween } from '../shared/text';

/** The API's limits: a communication body of at most 8,000 characters, a subject of at most 255. */
export const MAX_COMMUNICATION_BODY = 8000;
export const MAX_SUBJECT = 255;

export const SUPPORT_CONSOLE_URL = 'https://support.console.aws.amazon.com/support/home';

/** The first line of every communication this responder writes for an incident: how a retry knows it is done. */
export function incidentMarker(incidentId: string): string {
  return `[exposed-key-responder incident ${incidentId}]`;
}

/** One line of outside text (a summary, an error, a user agent): no line breaks, bounded. */
function line(value: string, max = 300): string {
  const chars = Array.from(value.replace(/\s+/g, ' ').trim());
  return chars.length > max ? `${chars.slice(0, max - 3).join('')}...` : chars.join('');
}

/** At most `max` items, and how many were left out. */
function capped(items: string[], max: number): string[] {
  return items.length > max ? [...items.slice(0, max), `... and ${items.length - max} more (see the incident report)`] : items;
}

function user(incident: Incident): string {
  return incident.principalType === 'root' ? 'the account root user' : `IAM user ${incident.userName}`;
}

function contained(report: IncidentReport): string[] {
  const lines = ['What was contained, and when:'];
  if (report.containment.length === 0) lines.push('  - containment did not run');
  for (const c of report.containment) {
    const what = c.status === 'failed' ? `[FAILED] ${c.action}: ` : c.status === 'dry-run' ? '' : `[${c.status}] `;
    lines.push(`  - ${what}${line(c.detail, 400)}${c.at && c.status !== 'dry-run' ? ` (${c.at})` : ''}`);
  }
  const v = report.verification;
  if (v && v.status !== 'skipped') {
    lines.push(
      `  Verification (${v.status}) at ${v.checkedAt}: key ${v.keyStatus ?? 'not found'}, sessions revoked before ${v.sessionsRevokedBefore ?? 'none'}, ` +
        `quarantine policy ${v.quarantineAttached ? 'attached' : 'NOT attached'}.`,
    );
    for (const p of v.problems) lines.push(`  - ${v.status === 'dry-run' ? 'would fix' : 'problem'}: ${line(p)}`);
  }
  return lines;
}

function found(report: IncidentReport): string[] {
  const a = report.activity;
  if (!a) return ['What the key did: not known (the investigation did not run or failed).'];
  const window = a.lookback ? ` from ${a.lookback.from} to ${a.lookback.to}` : '';
  const lines = [`What the key did (CloudTrail${window}, ${a.regions.length} region(s) searched):`];
  lines.push(`  ${a.eventCount} event(s)${a.firstSeen ? `, first ${a.firstSeen}, last ${a.lastSeen ?? a.firstSeen}` : ''}`);
  const byRegion = Object.entries(a.byRegion).sort(([, x], [, y]) => y - x);
  if (byRegion.length > 0) lines.push(`  by region: ${byRegion.slice(0, 20).map(([r, n]) => `${r} ${n}`).join(', ')}`);
  const gap = searchGapLine(report.unsearchedRegions);
  if (gap) lines.push(`  ${gap}`);
  const byService = Object.entries(a.byService).sort(([, x], [, y]) => y - x);
  if (byService.length > 0) lines.push(`  by service: ${byService.slice(0, 10).map(([s, n]) => `${s} ${n}`).join(', ')}`);
  if (a.sourceIps.length > 0) lines.push(`  source IPs: ${a.sourceIps.slice(0, 5).map((i) => `${line(i.value, 60)} (${i.count})`).join(', ')}`);
  if (a.notable.length > 0) {
    lines.push('  notable calls:');
    const calls = a.notable.map(
      (n) => `    - ${n.eventTime} ${n.region} ${n.eventName}${n.errorCode ? ` (failed: ${line(n.errorCode, 60)})` : ''}: ${line(n.summary, 200)}`,
    );
    lines.push(...capped(calls, 10));
  }
  const left = report.leftBehind;
  if (left) {
    const created = leftBehindItems(left).map((c) => `  - ${line(c, 200)}`);
    lines.push('What it left behind:', ...(created.length > 0 ? capped(created, 25) : [`  ${nothingFound(report.unsearchedRegions)}`]));
  }
  return lines;
}

function preserved(report: IncidentReport): string[] {
  const snapshots = report.evidence?.snapshots ?? [];
  if (snapshots.length === 0) return [];
  const rows = snapshots.map((s) => {
    const ids = s.snapshotIds.length > 0 ? `: ${s.snapshotIds.join(', ')}` : '';
    return `  - instance ${s.instanceId} in ${s.region}: ${s.status}${ids}${s.error ? ` (${line(s.error, 200)})` : ''}`;
  });
  return ['Evidence kept (EBS snapshots, tagged with the incident id):', ...capped(rows, 20)];
}

function cost(report: IncidentReport): string[] {
  const c = report.costExposure;
  if (!c) return [];
  return [`${costSummary(c)}:`, ...capped(c.instances.map((e) => `  - ${line(costLine(e), 300)}`), 20)];
}

function gaps(report: IncidentReport): string[] {
  if (report.failures.length === 0) return [];
  const rows = report.failures.map((f) => `  - ${line(`${f.source}: ${f.what}: ${f.error}`, 400)}`);
  return ['What could not be done:', ...capped(rows, 15)];
}

function stillOpen(report: IncidentReport): string[] {
  if (report.stillOpen.length === 0) return ['Still open: nothing, containment is in place.'];
  return ['Still open on our side:', ...report.stillOpen.map(openRow)];
}

/** An item and its command on the next line, ready to copy. */
function openRow(o: OpenItem): string {
  return `  - ${line(o.what, 400)}${o.command ? `\n    ${o.command}` : ''}`;
}

function stillToDo(report: IncidentReport): string[] {
  // The follow-up about the support case is this very communication.
  const rows = report.followUps.filter((f) => !/support case/i.test(f)).map((f) => `  - ${line(f, 400)}`);
  return rows.length > 0 ? ['Then, on our side:', ...capped(rows, 12)] : [];
}

function section(lines: string[]): string[] {
  return lines.length > 0 ? ['', ...lines] : [];
}

/**
 * What AWS support is told, as plain text: the marker line first (how a retry recognises it), the
 * outcome and what is still open, the facts, where the record is, what was contained and when, what
 * could not be done, then what was found (the part that grows with the incident, so the part a
 * truncation cuts). A pure rendering of the record. At most {@link MAX_COMMUNICATION_BODY}
 * characters (and UTF-8 bytes).
 */
export function supportSummary(report: IncidentReport): string {
  const { incident } = report;
  const lines = [
    incidentMarker(incident.incidentId),
    `${report.headline}: access key ${incident.accessKeyId} of ${user(incident)} in account ${incident.accountId}.`,
    ...section(stillOpen(report)),
    ...section(report.notes.map((n) => line(n, 600))),
    '',
    `Reported by:  ${line(incident.detail)}, at ${incident.detectedAt}`,
    ...(incident.leakLocation ? [`Leaked at:    ${line(incident.leakLocation, 500)}`] : []),
    `Response:     started automatically at ${incident.dispatchedAt} by the account's exposed-key responder`,
    `Outcome:      ${report.outcome}`,
    `Report:       ${report.recordUrl ?? 'no incident record was written yet (see below)'}`,
    ...(report.executionId ? [`Execution:    ${line(report.executionId, 500)}`] : []),
    ...section(contained(report)),
    ...footholdGroups(report.footholds).flatMap((g) => section([`${g.title}:`, ...capped(g.items.map(openRow), 15)])),
    ...section(secondLookLines(report.secondLook).map((l) => line(l, 600))),
    ...section(gaps(report)),
    ...section(found(report)),
    ...section(preserved(report)),
    ...section(cost(report)),
    ...section(stillToDo(report)),
  ];
  return fitBody(lines.join('\n'));
}

const TRUNCATED = '\n[... truncated to fit the support case: the incident report above has everything]';

/**
 * Text cut to the API's limit: counted in UTF-8 bytes, which is never less than the characters, so
 * it fits whichever the API counts. Cut at a line break when one is near, never inside a character.
 */
export function fitBody(text: string, max = MAX_COMMUNICATION_BODY): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\r\n?/g, '\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, ' ');
  if (Buffer.byteLength(clean, 'utf8') <= max) return clean;
  const room = max - Buffer.byteLength(TRUNCATED, 'utf8');
  let bytes = 0;
  let cut = '';
  for (const ch of clean) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (bytes + size > room) break;
    bytes += size;
    cut += ch;
  }
  const lastBreak = cut.lastIndexOf('\n');
  if (lastBreak > room / 2) cut = cut.slice(0, lastBreak);
  return `${cut}${TRUNCATED}`;
}

/**
 * The subject of a case this responder opens; `[<incidentId>]` in it is how a later run finds it.
 * A long user name is shortened, never the key or the incident id.
 */
export function caseSubject(report: IncidentReport): string {
  const { incident, outcome } = report;
  const contained = outcome === 'contained' || outcome === 'contained-with-gaps';
  const what = contained && rootKeyDeletion(report.containment) ? 'DELETED' : contained ? 'contained' : 'NOT contained';
  const head = `Exposed access key ${incident.accessKeyId} (`;
  const tail = `) ${what} [${incident.incidentId}]`;
  return fitBetween(head, line(incident.userName, 1000), tail, MAX_SUBJECT);
}

/** What a human does when the Support API is not available to the account. */
export function manualSupportSteps(report: IncidentReport): string[] {
  const { incident } = report;
  const where = report.recordUrl;
  const summary = `access key ${incident.accessKeyId} of ${user(incident)} in account ${incident.accountId} was exposed; say what was contained and when, and what was found (incident ${incident.incidentId}${where ? `, report: ${where}` : ''})`;
  const theCase = incident.awsCaseId
    ? `support case ${incident.awsCaseId}, the case AWS opened when it detected the key`
    : `the case AWS opened when it detected access key ${incident.accessKeyId} (around ${incident.detectedAt}; its subject or message names the key)`;
  return [
    `Sign in to the Support Center console (${SUPPORT_CONSOLE_URL}), open ${theCase}, and reply with the incident summary: ${summary}.`,
    `If AWS opened no case: contact AWS through the Support Center console: create an "Account and billing" case (open to every support plan) about a security issue with the account, with the same summary.`,
    'To have this done automatically next time: a Business, Enterprise On-Ramp or Enterprise support plan includes the AWS Support API.',
  ];
}

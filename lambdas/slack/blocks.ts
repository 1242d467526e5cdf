// The Slack message: a pure rendering of the incident record (lambdas/report/record.ts), the same
// outcome, open items, follow-ups and undo steps as the email. Nothing here decides.
import { costLine, costSummary } from '../report/cost';
import { footholdGroups, IncidentReport, leftBehindItems, nothingFound, searchGapLine, OpenItem, Outcome, OUTCOME_TAGS, secondLookLines, verificationSkippedReason } from '../report/record';
import { clip } from '../shared/text';

/** Slack's Block Kit limits the message is built to (https://api.slack.com/reference/block-kit). */
export const SLACK_LIMITS = {
  /** Blocks in one message. */
  blocks: 50,
  /** A section's (or context element's) text, and what we allow the fallback `text`. */
  text: 3000,
  /** A header block's plain text. */
  header: 150,
  /** Fields of one section, and characters of each. */
  fields: 10,
  field: 2000,
  /** A link button's URL and label. */
  buttonUrl: 3000,
  buttonText: 75,
} as const;

/** How many items of a long list (left behind, source IPs, snapshots...) the message names. */
export const FIRST_FEW = 5;
/** No single line takes more than this: one huge detail must not push everything else out. */
const MAX_LINE = 600;

/** The emoji that gives the header its severity at a glance. */
export const TAG_EMOJI: Readonly<Record<Outcome, string>> = {
  failed: ':rotating_light:',
  escalated: ':rotating_light:',
  'contained-with-gaps': ':warning:',
  'dry-run': ':information_source:',
  contained: ':white_check_mark:',
};

export interface SlackMessage {
  /** The plain fallback: what the notification (phone, desktop) shows. */
  readonly text: string;
  readonly blocks: unknown[];
}

/** The Block Kit message for one incident: outcome and what is still open first, then the details. Pure. */
export function slackMessage(report: IncidentReport): SlackMessage {
  const { incident } = report;
  const tag = OUTCOME_TAGS[report.outcome];
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${TAG_EMOJI[report.outcome]} ${tag}: exposed access key ${incident.accessKeyId}`, SLACK_LIMITS.header), emoji: true } },
    section(esc(report.headline), report.stillOpen.length > 0 ? ['*Still open, do this first:*', ...openLines(report.stillOpen)] : ['Still open: nothing, containment is in place.'], SLACK_LIMITS.text),
  ];
  const cost = costSection(report);
  const running = (report.costExposure?.running ?? 0) > 0;
  if (cost && running) blocks.push(cost);
  if (report.notes.length > 0) blocks.push(section('Note', report.notes.map(esc)));
  blocks.push({ type: 'section', fields: facts(report).slice(0, SLACK_LIMITS.fields).map((f) => mrkdwn(clip(f, SLACK_LIMITS.field))) });
  blocks.push({ type: 'divider' });
  blocks.push(section(report.dryRun ? 'What would have been done (dry run)' : 'What was done', doneLines(report)));
  for (const g of footholdGroups(report.footholds)) blocks.push(section(esc(g.title), openLines(g.items), SLACK_LIMITS.text));
  const [second, ...used] = secondLookLines(report.secondLook);
  if (second) blocks.push(section(esc(second), used.map(esc)));
  if (report.failures.length > 0) blocks.push(section('What failed', report.failures.map((f) => `:x: ${esc(f.source)}: ${esc(f.what)}: ${esc(f.error)}`)));
  const found = foundLines(report);
  if (found.length > 0) blocks.push(section('What was found', found));
  if (cost && !running) blocks.push(cost);
  if (report.supportCase) blocks.push(section('AWS support', [esc(report.supportCase)]));
  blocks.push(section('Then', report.followUps.map((f, n) => `${n + 1}. ${esc(f)}`)));
  if (report.undo.length > 0) blocks.push(section('Undo, once the user is clean', openLines(report.undo), SLACK_LIMITS.text));
  if (report.recordUrl) blocks.push(...reportBlocks(report.recordUrl));
  blocks.push({ type: 'context', elements: [mrkdwn(clip(report.links.map((l) => `<${l.url}|${esc(l.label)}>`).join(' · '), SLACK_LIMITS.text))] });
  const text = `[${tag}] Exposed access key ${incident.accessKeyId} of ${incident.userName} in account ${incident.accountId}: ${report.headline}`;
  return { text: clip(esc(text), SLACK_LIMITS.text), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

// ---- the sections ------------------------------------------------------------------------------

function openLines(items: OpenItem[]): string[] {
  return items.map((item, n) => `${n + 1}. ${esc(item.what)}${item.command ? `\n\`\`\`${esc(item.command)}\`\`\`` : ''}`);
}

function facts(report: IncidentReport): string[] {
  const i = report.incident;
  return [
    `*Account*\n${code(i.accountId)}`,
    `*User*\n${code(i.userName)}${i.principalType === 'root' ? ' (the account root user)' : ''}${i.protectedPrincipal ? ' (protected)' : ''}`,
    `*Access key*\n${code(i.accessKeyId)}`,
    `*Reported by*\n${esc(i.detail)}`,
    `*Detected at*\n${esc(i.detectedAt)}`,
    ...(i.leakLocation ? [`*Leaked at*\n${esc(i.leakLocation)}`] : []),
    ...(i.awsCaseId ? [`*AWS case*\n${code(i.awsCaseId)}`] : []),
    `*Incident*\n${code(i.incidentId)}`,
  ];
}

const STATUS_EMOJI: Readonly<Record<IncidentReport['containment'][number]['status'], string>> = {
  done: ':white_check_mark:',
  already: ':ballot_box_with_check:',
  skipped: ':no_entry_sign:',
  'dry-run': ':test_tube:',
  failed: ':x:',
};

function doneLines(report: IncidentReport): string[] {
  const lines = report.containment.map((c) => {
    // A dry run's detail already says "would ...".
    const label = c.status === 'dry-run' ? '' : `*${c.status === 'failed' ? 'FAILED' : c.status}* `;
    return `${STATUS_EMOJI[c.status]} ${label}${esc(c.action)}: ${esc(c.detail)}`;
  });
  if (lines.length === 0) lines.push('Containment did not run.');
  const v = report.verification;
  if (v?.status === 'skipped') lines.push(`:mag: Verification: ${verificationSkippedReason(report.containment)}.`);
  else if (v) {
    lines.push(
      `:mag: Verification (${v.status}, ${esc(v.checkedAt)}): key ${code(report.incident.accessKeyId)} ${esc(v.keyStatus ?? 'not found')}, ` +
        `sessions revoked before ${esc(v.sessionsRevokedBefore ?? 'none')}, quarantine policy ${v.quarantineAttached ? 'attached' : 'not attached'}`,
      ...v.problems.map((p) => `${v.status === 'dry-run' ? 'would fix' : ':warning: problem'}: ${esc(p)}`),
    );
  }
  return lines;
}

function foundLines(report: IncidentReport): string[] {
  const lines: string[] = [];
  const a = report.activity;
  if (a) {
    lines.push(
      `*${a.eventCount}* CloudTrail event(s) by the key in the last ${a.lookback.days} day(s), ${a.regions.length} region(s) searched` +
        (a.firstSeen ? `, first ${esc(a.firstSeen)}, last ${esc(a.lastSeen ?? a.firstSeen)}` : ''),
    );
    const gap = searchGapLine(report.unsearchedRegions);
    if (gap) lines.push(`*${esc(gap)}*`);
    if (a.sourceIps.length > 0) lines.push(`Source IPs: ${firstFew(a.sourceIps.map((i) => `${code(i.value)} (${i.count})`)).join(', ')}`);
    lines.push(...firstFew(a.notable.map((n) => `• ${esc(n.eventTime)} ${esc(n.region)} ${code(n.sourceIp ?? '-')} *${esc(n.eventName)}*${n.errorCode ? ` (failed: ${esc(n.errorCode)})` : ''}: ${esc(n.summary)}`)));
  }
  const l = report.leftBehind;
  if (l) {
    const all = leftBehindItems(l, code);
    lines.push(all.length === 0 ? `Left behind: ${esc(nothingFound(report.unsearchedRegions))}` : `Left behind: *${all.length}*`, ...firstFew(all).map((i) => `• ${i}`));
  }
  const e = report.evidence;
  if (e && e.snapshots.length > 0) {
    lines.push(`Evidence (EBS snapshots of ${e.snapshots.length} instance(s)):`);
    lines.push(...firstFew(e.snapshots.map((s) => `• ${code(s.instanceId)} (${esc(s.region)}): ${s.status === 'dry-run' ? 'would snapshot' : esc(s.status)}${s.snapshotIds.length ? ` ${s.snapshotIds.map(code).join(', ')}` : ''}`)));
  } else if (e?.skipped) lines.push(`Evidence: none preserved: ${esc(e.skipped)}`);
  return lines;
}

/** The cost exposure: one line an instance, the basis of the estimate in the title. */
function costSection(report: IncidentReport): unknown | undefined {
  const c = report.costExposure;
  if (!c) return undefined;
  return section(esc(costSummary(c)), firstFew(c.instances.map((e) => `• ${esc(costLine(e))}`)));
}

function reportBlocks(url: string): unknown[] {
  if (/^https:\/\//.test(url) && url.length <= SLACK_LIMITS.buttonUrl) {
    return [
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the incident record' }, url, action_id: 'open-incident-report' }],
      },
    ];
  }
  return [section('Incident record', [code(url)])];
}

// ---- Block Kit and mrkdwn helpers ----------------------------------------------------------------

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text };
}

/**
 * A section of a title and lines, cut to Slack's 3,000 characters with a note of what was left out.
 * Each line is clipped to `maxLine`; open items and undo steps get the whole 3,000, so a command is
 * shown whole or left out with the note, never cut.
 */
function section(title: string, lines: string[], maxLine: number = MAX_LINE): unknown {
  return { type: 'section', text: mrkdwn(fit(`*${title}*`, lines.map((l) => clip(l, maxLine)), SLACK_LIMITS.text)) };
}

/** Joins lines under a head; when they do not fit in `max`, as many as fit and a note of the rest. */
export function fit(head: string, lines: string[], max: number): string {
  const whole = [head, ...lines].join('\n');
  if (whole.length <= max) return whole;
  const note = (n: number) => `_… and ${n} more (see the incident report)_`;
  const budget = max - note(lines.length).length - 1;
  const out = [head];
  let length = head.length;
  let shown = 0;
  for (const line of lines) {
    if (length + 1 + line.length > budget) break;
    out.push(line);
    length += 1 + line.length;
    shown += 1;
  }
  out.push(note(lines.length - shown));
  return clip(out.join('\n'), max);
}

/** Slack's three control characters; everything shown that did not come from this file is escaped. */
export function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** An identifier in a code span: no mrkdwn formatting applies inside (user names with `_`...). */
function code(text: string): string {
  return `\`${esc(text.replace(/`/g, "'"))}\``;
}

/** Slack counts characters: a clipped text is never longer than its limit. */
export { clip };

function firstFew(items: string[]): string[] {
  return items.length <= FIRST_FEW ? items : [...items.slice(0, FIRST_FEW), `… and ${items.length - FIRST_FEW} more`];
}

import { explain, gaps, outcome, Tag } from '../notify/message';
import { Incident } from '../shared/incident';
import {
  CaughtError,
  Failure,
  FailureSchema,
  NotifyInput,
  StepFailure,
  StepFailureSchema,
  StepResult,
  StepResultSchema,
  Verification,
  VerificationSchema,
} from '../shared/steps';
import { SlackInput } from './contract';

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

export type { Tag };

/** The emoji that gives the header its severity at a glance. */
export const TAG_EMOJI: Readonly<Record<Tag, string>> = {
  FAILED: ':rotating_light:',
  'ACTION REQUIRED': ':rotating_light:',
  'CONTAINED, GAPS': ':warning:',
  'DRY RUN': ':information_source:',
  CONTAINED: ':white_check_mark:',
};

export interface SlackMessage {
  /** The plain fallback: what the notification (phone, desktop) shows. */
  readonly text: string;
  readonly blocks: unknown[];
}

/** The workflow state read as the email reads it, plus what could not be read. */
export interface ReadState {
  readonly notify: NotifyInput;
  /** Containment elements that were neither a StepResult nor a `{ failed }`. */
  readonly unreadableSteps: number;
}

/**
 * The Slack input as a {@link NotifyInput}, so the email's own `gaps()` and `failedSteps()` apply.
 * Containment, verification and failure are checked here (the email's schema checks them
 * strictly); anything that does not fit is left out rather than failing the notification.
 */
export function readState(input: SlackInput): ReadState {
  const containment: Array<StepResult | StepFailure> = [];
  let unreadableSteps = 0;
  for (const step of Array.isArray(input.containment) ? input.containment : []) {
    const failure = StepFailureSchema.safeParse(step);
    const result = StepResultSchema.safeParse(step);
    if (failure.success) containment.push(failure.data);
    else if (result.success) containment.push(result.data);
    else unreadableSteps += 1;
  }
  const verification = VerificationSchema.safeParse(input.verification);
  const failure = FailureSchema.safeParse(input.failure);
  const notify: NotifyInput = {
    incident: input.incident,
    executionId: input.executionId ?? (failure.success ? failure.data.executionId : undefined),
    containment: input.containment === undefined ? undefined : containment,
    verification: verification.success ? verification.data : undefined,
    investigation: input.investigation,
    evidence: input.evidence,
    report: input.report,
    support: input.support,
    failure: failure.success ? failure.data : undefined,
  };
  return { notify, unreadableSteps };
}

/** The Block Kit message for one incident: what happened, what was done, what failed, what was found. */
export function slackMessage(input: SlackInput): SlackMessage {
  const { notify, unreadableSteps } = readState(input);
  const missing = gaps(notify);
  const { tag, headline } = outcome(notify);
  const { incident } = notify;
  const reportUrl = str(obj(notify.report)?.consoleUrl);

  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${TAG_EMOJI[tag]} ${tag}: exposed access key ${incident.accessKeyId}`, SLACK_LIMITS.header), emoji: true } },
    { type: 'section', text: mrkdwn(`*${esc(headline)}*`), fields: facts(incident).slice(0, SLACK_LIMITS.fields).map((f) => mrkdwn(clip(f, SLACK_LIMITS.field))) },
    { type: 'divider' },
    section('What was done', [...doneLines(notify.containment, unreadableSteps), ...verificationLines(notify.verification, incident)]),
  ];
  const failed = failedLines(notify, missing);
  if (failed.length > 0) blocks.push(section('What failed', failed));
  const found = foundLines(notify);
  if (found.length > 0) blocks.push(section('What was found', found));
  const support = supportLine(notify.support);
  if (support) blocks.push(section('AWS support', [support]));
  if (reportUrl) blocks.push(...reportBlocks(reportUrl));
  blocks.push({ type: 'context', elements: [mrkdwn(clip(whereToLook(notify), SLACK_LIMITS.text))] });

  const text = [
    `[${tag}] Exposed access key ${incident.accessKeyId} of ${incident.userName} in account ${incident.accountId}: ${headline}`,
    ...(reportUrl ? [`Incident report: ${reportUrl}`] : []),
  ].join(' ');
  return { text: clip(esc(text), SLACK_LIMITS.text), blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

// ---- the sections ------------------------------------------------------------------------------

function facts(incident: Incident): string[] {
  return [
    `*Account*\n${code(incident.accountId)}`,
    `*User*\n${code(incident.userName)}${incident.principalType === 'root' ? ' (the account root user)' : ''}${incident.protectedPrincipal ? ' (protected)' : ''}`,
    `*Access key*\n${code(incident.accessKeyId)}`,
    `*Reported by*\n${esc(incident.detail)}`,
    `*Detected at*\n${esc(incident.detectedAt)}`,
    ...(incident.leakLocation ? [`*Leaked at*\n${esc(incident.leakLocation)}`] : []),
    ...(incident.awsCaseId ? [`*AWS case*\n${code(incident.awsCaseId)}`] : []),
    `*Incident*\n${code(incident.incidentId)}`,
  ];
}

const STATUS_EMOJI: Readonly<Record<StepResult['status'], string>> = {
  done: ':white_check_mark:',
  already: ':ballot_box_with_check:',
  skipped: ':no_entry_sign:',
  'dry-run': ':test_tube:',
};

function doneLines(containment: Array<StepResult | StepFailure> | undefined, unreadable: number): string[] {
  const lines = (containment ?? []).map((s) =>
    isFailure(s)
      ? `:x: *FAILED* ${esc(s.failed.step)}: ${esc(explainSafe(s.failed.error))}`
      : `${STATUS_EMOJI[s.status]} *${s.status}* ${esc(s.action)}: ${esc(s.detail)}`,
  );
  if (unreadable > 0) lines.push(`:grey_question: ${unreadable} containment result(s) could not be read`);
  return lines.length > 0 ? lines : ['Containment did not run.'];
}

function verificationLines(v: Verification | undefined, incident: Incident): string[] {
  if (!v) return [];
  if (v.status === 'skipped') return [':mag: Verification: not applicable (nothing was to be changed).'];
  const head =
    `:mag: Verification (${v.status}, ${esc(v.checkedAt)}): key ${code(incident.accessKeyId)} ${esc(v.keyStatus ?? 'not found')}, ` +
    `sessions revoked before ${esc(v.sessionsRevokedBefore ?? 'none')}, quarantine policy ${v.quarantineAttached ? 'attached' : 'not attached'}`;
  return [head, ...v.problems.map((p) => `${v.status === 'dry-run' ? 'would fix' : ':warning: problem'}: ${esc(p)}`)];
}

function failedLines(input: NotifyInput, missing: string[]): string[] {
  const lines: string[] = [];
  if (input.failure) lines.push(`:x: step *${esc(input.failure.step)}*: ${esc(explainSafe(input.failure.error))}`);
  for (const s of input.containment ?? []) {
    if (isFailure(s) && s.failed.step !== input.failure?.step) lines.push(`:x: containment ${esc(s.failed.step)}: ${esc(explainSafe(s.failed.error))}`);
  }
  return [...lines, ...missing.map((g) => `:warning: ${esc(g)}`)];
}

function foundLines(input: NotifyInput): string[] {
  const lines: string[] = [];
  const inv = obj(input.investigation);
  const eventCount = num(inv?.eventCount);
  if (inv && !inv.failed && eventCount !== undefined) {
    const days = num(obj(inv.lookback)?.days);
    const regions = strs(inv.regions);
    const first = str(inv.firstSeen);
    const last = str(inv.lastSeen);
    lines.push(
      `*${eventCount}* CloudTrail event(s) by the key in the last ${days ?? '?'} day(s), ${regions.length} region(s) searched` +
        (first ? `, first ${esc(first)}, last ${esc(last ?? first)}` : ''),
    );
    const byRegion = Object.entries(obj(inv.byRegion) ?? {})
      .filter((e): e is [string, number] => typeof e[1] === 'number')
      .sort((a, b) => b[1] - a[1]);
    if (byRegion.length > 0) lines.push(`By region: ${firstFew(byRegion.map(([r, n]) => `${esc(r)} ${n}`)).join(', ')}`);
    const ips = arr(inv.sourceIps)
      .map(obj)
      .filter((i) => typeof i?.value === 'string')
      .map((i) => `${code(String(i?.value))}${num(i?.count) !== undefined ? ` (${num(i?.count)})` : ''}`);
    if (ips.length > 0) lines.push(`Source IPs: ${firstFew(ips).join(', ')}`);
    lines.push(...leftBehindLines(obj(inv.leftBehind) ?? {}));
  }
  lines.push(...evidenceLines(obj(input.evidence)));
  return lines;
}

/** What the key created: counts by kind, then the first few by name. */
function leftBehindLines(left: Record<string, unknown>): string[] {
  const kinds: Array<[string, string[]]> = [
    ['user', strs(left.users).map((u) => `user ${code(u)}`)],
    ['access key', arr(left.accessKeys).map(obj).map((k) => `access key ${code(str(k?.accessKeyId) ?? '?')} of ${code(str(k?.userName) ?? '?')}`)],
    ['console password', strs(left.loginProfiles).map((u) => `console password for ${code(u)}`)],
    ['role', strs(left.roles).map((r) => `role ${code(r)}`)],
    ['policy', strs(left.policies).map((p) => `policy ${code(p)}`)],
    [
      'instance',
      arr(left.instances)
        .map(obj)
        .map((i) => `instance ${code(str(i?.instanceId) ?? '?')} in ${esc(str(i?.region) ?? '?')}${str(i?.via) ? ` (${esc(str(i?.via) ?? '')})` : ''}`),
    ],
  ];
  const all = kinds.flatMap(([, items]) => items);
  if (all.length === 0) return ['Left behind: nothing found in CloudTrail'];
  const counts = kinds.filter(([, items]) => items.length > 0).map(([kind, items]) => `${items.length} ${plural(kind, items.length)}`);
  return [`Left behind: *${counts.join(', ')}*`, ...firstFew(all).map((i) => `• ${i}`)];
}

function evidenceLines(evidence: Record<string, unknown> | undefined): string[] {
  if (!evidence || evidence.failed) return [];
  const snapshots = arr(evidence.snapshots).map(obj).filter((s): s is Record<string, unknown> => s !== undefined);
  if (snapshots.length === 0) return [];
  const byStatus = new Map<string, number>();
  for (const s of snapshots) byStatus.set(str(s.status) ?? '?', (byStatus.get(str(s.status) ?? '?') ?? 0) + 1);
  const lines = snapshots.map((s) => {
    const ids = strs(s.snapshotIds);
    return `• ${code(str(s.instanceId) ?? '?')} (${esc(str(s.region) ?? '?')}): ${esc(str(s.status) ?? '?')}${ids.length ? ` ${ids.map(code).join(', ')}` : ''}`;
  });
  return [`Evidence (EBS snapshots of ${snapshots.length} instance(s)): ${[...byStatus].map(([s, n]) => `${esc(s)} ${n}`).join(', ')}`, ...firstFew(lines)];
}

/**
 * One line on the AWS support case. The email's `supportLine()` is not exported: this says the same
 * things, and names an unknown status rather than hiding it. A failed support step is a gap.
 */
function supportLine(support: unknown): string | undefined {
  const s = obj(support);
  if (!s || s.failed) return undefined;
  const status = str(s.status);
  const id = str(s.displayId) ?? str(s.caseId);
  const caseRef = id ? `case ${code(id)}` : 'the case';
  switch (status) {
    case undefined:
      return undefined;
    case 'communication-added':
      return `:white_check_mark: ${caseRef} was answered with what was done and found.`;
    case 'already-answered':
      return `:ballot_box_with_check: ${caseRef} had already been answered for this incident.`;
    case 'case-created':
      return `:white_check_mark: security ${caseRef} opened with what was done and found.`;
    case 'dry-run':
      return `:test_tube: dry run: would ${esc(str(s.wouldDo) ?? 'answer or open the case')}.`;
    case 'unavailable':
      return `:warning: no case could be opened or answered: ${esc(str(s.reason) ?? 'the support plan does not include the Support API')}.`;
    default:
      return `${esc(status)}${id ? ` (${caseRef})` : ''}${str(s.reason) ? `: ${esc(str(s.reason) ?? '')}` : ''}`;
  }
}

function reportBlocks(url: string): unknown[] {
  if (/^https:\/\//.test(url) && url.length <= SLACK_LIMITS.buttonUrl) {
    return [
      {
        type: 'actions',
        elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open the incident report' }, url, action_id: 'open-incident-report' }],
      },
    ];
  }
  return [section('Incident report', [code(url)])];
}

function whereToLook(input: NotifyInput): string {
  const execution = input.executionId ? `Execution ${code(input.executionId)} · ` : '';
  return `${execution}CloudWatch Logs: filter on incidentId ${code(input.incident.incidentId)} · the email to the notification topic lists what a human still owes`;
}

// ---- Block Kit and mrkdwn helpers ----------------------------------------------------------------

function mrkdwn(text: string): { type: 'mrkdwn'; text: string } {
  return { type: 'mrkdwn', text };
}

/** A section of a title and lines, cut to Slack's 3,000 characters with a note of what was left out. */
function section(title: string, lines: string[]): unknown {
  return { type: 'section', text: mrkdwn(fit(`*${title}*`, lines.map((l) => clip(l, MAX_LINE)), SLACK_LIMITS.text)) };
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

/** At most `max` UTF-16 units (Slack counts characters: never more), never half a surrogate pair. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

function firstFew(items: string[]): string[] {
  return items.length <= FIRST_FEW ? items : [...items.slice(0, FIRST_FEW), `… and ${items.length - FIRST_FEW} more`];
}

function plural(kind: string, n: number): string {
  if (n === 1) return kind;
  return kind === 'policy' ? 'policies' : `${kind}s`;
}

// ---- defensive readers -----------------------------------------------------------------------

function isFailure(step: StepResult | StepFailure): step is StepFailure {
  return 'failed' in step;
}

function explainSafe(error: CaughtError | Failure['error']): string {
  try {
    return explain(error);
  } catch {
    return 'unreadable error';
  }
}

function obj(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function strs(value: unknown): string[] {
  return arr(value).filter((v): v is string => typeof v === 'string');
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

// Pure rendering of the messages the dispatcher sends to people: no AWS, no clock, no environment.
import { bounded } from '../shared/events';

/** Why an exposure resolved to no key of this account. */
export type UnresolvedReason =
  | 'unknown-key'
  | 'temporary-credentials'
  | 'lower-case-key'
  | 'not-a-key-id'
  | 'other-account-key'
  | 'access-denied'
  | 'role'
  /** The role of temporary credentials GuardDuty named: its sessions were not revoked (service-linked, protected, dry run, failed). */
  | 'role-sessions'
  | 'nothing-named'
  | 'entities-not-read'
  | 'bad-user-name'
  | 'user-not-found'
  | 'no-active-key'
  | 'no-recent-quarantine'
  | 'not-recently-quarantined'
  | 'too-many-users'
  | 'lookup-truncated';

/** One thing the event named that the dispatcher did not act on, and what a person should check. */
export interface UnresolvedItem {
  readonly reason: UnresolvedReason;
  /** What it is about: a key id, a user, a role ARN (already bounded). */
  readonly about: string;
  /** One sentence: what the dispatcher found. */
  readonly finding: string;
  /** Exact commands to run by hand. */
  readonly commands: readonly string[];
}

/**
 * `refused`: the event is of another account. `unresolved`: an exposure that resolved to no key of
 * this account. `check`: the response started, and something next to it needs a person (users AWS
 * quarantined earlier, left unchanged). `contained`: the sessions of the role whose temporary
 * credentials GuardDuty named were revoked (what was done is in `done`, each with its undo).
 */
export type NoticeKind = 'refused' | 'unresolved' | 'check' | 'contained';

export interface NoticeInput {
  readonly kind: NoticeKind;
  /** The account the responder guards. */
  readonly accountId: string;
  /** The account the event says it is about. */
  readonly eventAccount: string;
  /** Readable name of the report: `Trusted Advisor "Exposed Access Keys"`, `AWS Health AWS_RISK_...`. */
  readonly report: string;
  /** What the event said, label and value (bounded by the caller; bounded again here). */
  readonly facts: ReadonlyArray<readonly [string, string]>;
  readonly items: readonly UnresolvedItem[];
  /** What the dispatcher did itself, one line each with its undo (kind `contained`). */
  readonly done?: readonly string[];
  /** Sentences added at the end (CloudTrail delay...). */
  readonly notes?: readonly string[];
  /**
   * Kind `refused`, organization mode: the event's account is another one because the member role
   * could not be assumed there (why: in `notes`), not because the responder acts in its own account only.
   */
  readonly memberRoleRefused?: boolean;
}

export interface Notice {
  /** SNS subject: ASCII, one line, at most {@link SUBJECT_MAX} characters. */
  readonly subject: string;
  readonly text: string;
}

/**
 * The message attribute that marks a dispatcher notice on the notification topic. The slack
 * Lambda's subscription filters on it (lib/exposed-key-responder-stack.ts; the slack Lambda checks it too), so notices reach Slack
 * and nothing else published to the topic does (the workflow's own messages, the alarms): the
 * workflow posts to Slack itself. SNS attribute names allow letters, digits, `_`, `-` and `.`.
 */
export const NOTICE_KIND_ATTRIBUTE = 'exposed-key-responder.kind';
/** The value of {@link NOTICE_KIND_ATTRIBUTE} on a notice. */
export const NOTICE_KIND = 'notice';

/** SNS refuses a subject of more than 100 characters. */
export const SUBJECT_MAX = 100;
/** Items listed in one message; the rest are counted. */
export const MAX_ITEMS = 20;
/** Characters of the whole text: far under SNS's 256 KB, readable in a mail client and Slack. */
export const TEXT_MAX = 12_000;

const PREFIX: Record<NoticeKind, string> = { refused: '[REFUSED]', unresolved: '[UNRESOLVED]', check: '[CHECK]', contained: '[CONTAINED]' };

/** A value quoted for a POSIX shell: commands in a message can be pasted as they are. */
export function shellQuote(value: string): string {
  return /^[\w+=,.@:/-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** One line of ASCII, at most `max` characters: what SNS accepts as a subject. */
export function snsSubject(value: string, max = SUBJECT_MAX): string {
  const ascii = value.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]+/g, ' ').replace(/\s+/g, ' ').trim();
  return ascii.length <= max ? ascii : `${ascii.slice(0, max - 3).trimEnd()}...`;
}

function subjectOf(input: NoticeInput): string {
  const what =
    input.kind === 'refused'
      ? `exposed-key report for account ${input.eventAccount} refused by the responder of ${input.accountId}`
      : input.kind === 'unresolved'
        ? `exposed-key report in ${input.accountId} names no key the responder can contain`
        : input.kind === 'contained'
          ? `temporary credentials reported in ${input.accountId}: role sessions revoked`
          : `exposed-key response in ${input.accountId}: users need a look`;
  return snsSubject(`${PREFIX[input.kind]} ${what}`);
}

function intro(input: NoticeInput): string {
  switch (input.kind) {
    case 'refused':
      if (input.memberRoleRefused) {
        return (
          `The responder of account ${input.accountId} could not act in account ${input.eventAccount}: the member role cannot be assumed there (why: below). ` +
          `Nothing was changed in account ${input.eventAccount}: contain the exposure there by hand now, ` +
          `then deploy the member stack there (its instance of the StackSet exposed-key-responder-member), or find why its events reach this responder.`
        );
      }
      return (
        `The responder of account ${input.accountId} received a report about account ${input.eventAccount}. ` +
        `It acts in its own account only: nothing was changed. Check the exposure in account ${input.eventAccount} ` +
        `(its own responder, or by hand), and why its events reach this one.`
      );
    case 'unresolved':
      return (
        'AWS reported an exposed credential, and the responder could not tie it to an access key of this account that it may contain. ' +
        'Nothing was changed for what is listed below: check each item by hand.'
      );
    case 'contained':
      return (
        'AWS reported temporary credentials (ASIA...) used by someone else. The responder revoked the sessions of the role they belong to: ' +
        'every session of it issued before the time below is denied; new sessions work. No access key was changed.'
      );
    case 'check':
      return 'The response started for the keys AWS just quarantined. The users below need a look by hand; the responder left them unchanged.';
  }
}

/**
 * The message to people for one event: subject and plain text (email and Slack render the same
 * text). Pure: the same input gives the same message.
 */
export function renderNotice(input: NoticeInput): Notice {
  const lines: string[] = [intro(input), '', `Report: ${bounded(input.report, 200)}`];
  for (const [label, value] of input.facts) lines.push(`${bounded(label, 60)}: ${bounded(value, 600)}`);
  if (input.done?.length) lines.push('', 'Done:', ...input.done.map((d) => `- ${bounded(d, 1_000)}`));
  const shown = input.items.slice(0, MAX_ITEMS);
  if (shown.length > 0) lines.push('', 'To check by hand:');
  shown.forEach((item, i) => {
    lines.push('', `${i + 1}. ${bounded(item.about, 200)}: ${bounded(item.finding, 600)}`);
    for (const c of item.commands) lines.push(`   $ ${c}`);
  });
  if (input.items.length > shown.length) lines.push('', `... and ${input.items.length - shown.length} more, not listed.`);
  for (const note of input.notes ?? []) lines.push('', note);
  const text = lines.join('\n');
  return { subject: subjectOf(input), text: text.length <= TEXT_MAX ? text : `${text.slice(0, TEXT_MAX - 40)}\n... (message cut at ${TEXT_MAX} characters)` };
}

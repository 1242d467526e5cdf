// The Slack Lambda's second input (contract C3): a notice from the dispatcher, `{ notice: { subject, text } }`.
import * as z from 'zod/mini';
import { SLACK_LIMITS, SlackMessage } from './blocks';

/** The dispatcher sends at most 100 characters of subject (SNS's limit) and 12,000 of text. */
export const NoticeInputSchema = z.object({
  notice: z.object({
    subject: z.string().check(z.minLength(1), z.maxLength(200)),
    text: z.string().check(z.maxLength(20_000)),
  }),
});
export type NoticeInput = z.infer<typeof NoticeInputSchema>;

/** Whether an input is a notice (and not the workflow state). */
export function isNoticeInput(input: unknown): boolean {
  return typeof input === 'object' && input !== null && 'notice' in input && !('incident' in input);
}

/** Slack's mrkdwn escapes: the text is shown as written, never as links or mentions. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Splits at line ends into pieces of at most `max` characters. */
function pieces(text: string, max: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
    if (current && current.length + cut.length + 1 > max) {
      out.push(current);
      current = '';
    }
    current = current ? `${current}\n${cut}` : cut;
  }
  if (current) out.push(current);
  return out;
}

/** A plain Block Kit message: a header with the subject, the text in sections (as a code-free mrkdwn). */
export function noticeMessage(input: NoticeInput): SlackMessage {
  const { subject, text } = input.notice;
  const header = subject.length <= SLACK_LIMITS.header ? subject : `${subject.slice(0, SLACK_LIMITS.header - 1)}…`;
  const sections = pieces(escape(text), SLACK_LIMITS.text).slice(0, SLACK_LIMITS.blocks - 1);
  return {
    text: escape(header),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `:rotating_light: ${header}`.slice(0, SLACK_LIMITS.header), emoji: true } },
      ...sections.map((s) => ({ type: 'section', text: { type: 'mrkdwn', text: s } })),
    ],
  };
}

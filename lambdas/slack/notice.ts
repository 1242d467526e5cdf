// The Slack Lambda's second input (contract C3): a dispatcher notice, as the notification topic's
// filtered subscription delivers it (an SNS event; lambdas/dispatcher/publish.ts publishes it).
import * as z from 'zod/mini';
import { NOTICE_KIND, NOTICE_KIND_ATTRIBUTE } from '../dispatcher/notice';
import { parseStepInput } from '../shared/steps';
import { clip } from '../shared/text';
import { SLACK_LIMITS, SlackMessage } from './blocks';

/**
 * One SNS delivery of a notice. The dispatcher sends at most 100 characters of subject (SNS's
 * limit) and 12,000 of text. A message without the notice attribute is refused: the subscription's
 * filter policy lets only notices through, so anything else reaching here is a misconfiguration
 * (the workflow's own messages must not be posted twice).
 */
const SnsNoticeRecordSchema = z.object({
  EventSource: z.literal('aws:sns'),
  Sns: z.object({
    MessageId: z.string(),
    Subject: z.string().check(z.minLength(1), z.maxLength(200)),
    Message: z.string().check(z.maxLength(20_000)),
    MessageAttributes: z.object({ [NOTICE_KIND_ATTRIBUTE]: z.object({ Type: z.literal('String'), Value: z.literal(NOTICE_KIND) }) }),
  }),
});

/** The SNS event of the slack Lambda's subscription: one record in practice, a few at most. */
export const SnsNoticeEventSchema = z.object({ Records: z.array(SnsNoticeRecordSchema).check(z.minLength(1), z.maxLength(10)) });

/** What a notice says: the SNS subject and message. */
export interface SlackNotice {
  readonly messageId: string;
  readonly subject: string;
  readonly text: string;
}

/** Whether an input is an SNS event (and not the workflow state, which has no `Records`). */
export function isSnsEvent(input: unknown): boolean {
  return typeof input === 'object' && input !== null && 'Records' in input && !('incident' in input);
}

/** The notices of an SNS event; input of any other shape throws InvalidIncidentError. */
export function parseNoticeEvent(event: unknown): SlackNotice[] {
  const parsed = parseStepInput(SnsNoticeEventSchema, event, 'slack notice');
  return parsed.Records.map((r) => ({ messageId: r.Sns.MessageId, subject: r.Sns.Subject, text: r.Sns.Message }));
}

/**
 * A notice that could not be posted to Slack. Thrown, so the delivery counts as failed: Lambda
 * retries an asynchronous invocation (which is how SNS invokes it) twice, a minute and then two
 * minutes later, then drops the event (the function has no on-failure destination); the same
 * notice went to the topic's email subscribers anyway.
 */
export class SlackNoticeNotPostedError extends Error {
  override readonly name = 'SlackNoticeNotPostedError';
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
    const cut = clip(line, max);
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
export function noticeMessage(notice: Pick<SlackNotice, 'subject' | 'text'>): SlackMessage {
  const { subject, text } = notice;
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

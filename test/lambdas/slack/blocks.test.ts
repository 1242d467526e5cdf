import { subjectFor } from '../../../lambdas/notify/message';
import { NotifyInput } from '../../../lambdas/shared/steps';
import { outcome } from '../../../lambdas/notify/message';
import { clip, esc, fit, readState, SLACK_LIMITS, slackMessage, Tag } from '../../../lambdas/slack/blocks';
import { SlackInput } from '../../../lambdas/slack/contract';
import { ACCOUNT_ID, anIncident, KEY_ID } from '../helpers';
import { AT, CONTAINED, EXECUTION_ID, fullInput, INVESTIGATION, lambdaError, REPORT_URL } from './fixtures';

type Block = { type: string; text?: { type: string; text: string }; fields?: Array<{ text: string }>; elements?: any[] };

function blocksOf(input: SlackInput): Block[] {
  return slackMessage(input).blocks as Block[];
}

/** Every text a reader sees, in order. */
function allText(input: SlackInput): string {
  return blocksOf(input)
    .flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text?.text ?? e.text)])
    .filter((t): t is string => typeof t === 'string')
    .join('\n');
}

function sectionText(input: SlackInput, title: string): string | undefined {
  return blocksOf(input).find((b) => b.type === 'section' && b.text?.text.startsWith(`*${title}*`))?.text?.text;
}

function header(input: SlackInput): string {
  const h = blocksOf(input)[0];
  expect(h.type).toBe('header');
  return h.text?.text ?? '';
}

const dryRun = (): SlackInput =>
  fullInput({ containment: CONTAINED.map((s) => ({ ...s, status: 'dry-run' as const, detail: `would ${s.detail}` })), verification: undefined });
const root = (): SlackInput =>
  fullInput({
    incident: anIncident({ userName: 'root', principalType: 'root' }),
    containment: CONTAINED.map((s) => ({ ...s, status: 'skipped' as const, detail: 'root access keys cannot be deactivated from inside the account' })),
  });
const protectedUser = (): SlackInput => fullInput({ incident: anIncident({ userName: 'break-glass', protectedPrincipal: true }) });
const withGaps = (): SlackInput =>
  fullInput({
    investigation: { ...INVESTIGATION, failures: [{ what: 'CloudTrail LookupEvents in ap-south-1', error: 'AccessDenied: not authorized' }] },
    evidence: { failed: { step: 'Evidence', error: lambdaError('TransientAwsError', 'CreateSnapshots: Throttling') } },
  });
const failed = (): SlackInput =>
  fullInput({
    containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('TransientAwsError', 'UpdateAccessKey: Throttling: Rate exceeded') } }, CONTAINED[1], CONTAINED[2]],
    failure: { step: 'Contain', error: { Error: 'ContainmentIncomplete', Cause: 'one or more containment actions failed after their retries' }, executionId: EXECUTION_ID },
    investigation: undefined,
    evidence: undefined,
    report: undefined,
    support: undefined,
  });

describe('slackMessage: the tag', () => {
  it.each<[Tag, () => SlackInput]>([
    ['CONTAINED', () => fullInput()],
    ['CONTAINED, GAPS', withGaps],
    ['DRY RUN', dryRun],
    ['ACTION REQUIRED', root],
    ['ACTION REQUIRED', protectedUser],
    ['FAILED', failed],
  ])('says %s in the header and the fallback text, as the email subject does', (tag, input) => {
    const message = slackMessage(input());

    expect(header(input())).toContain(`${tag}: exposed access key ${KEY_ID}`);
    expect(message.text.startsWith(`[${tag}] `)).toBe(true);
    // The email's tag, from its own subject: the two channels never disagree.
    expect(subjectFor(readState(input()).notify).startsWith(`[${tag}] `)).toBe(true);
  });

  it('marks the severity with an emoji', () => {
    expect(header(fullInput())).toMatch(/^:white_check_mark: CONTAINED/);
    expect(header(withGaps())).toMatch(/^:warning: CONTAINED, GAPS/);
    expect(header(failed())).toMatch(/^:rotating_light: FAILED/);
    expect(header(root())).toMatch(/^:rotating_light: ACTION REQUIRED/);
  });

  it('uses the email headline', () => {
    expect(outcome(readState(failed()).notify).headline).toBe('Response FAILED at step DeactivateKey');
    expect(allText(root())).toContain('*ROOT access key exposed: act now, by hand*');
  });
});

describe('slackMessage: the content', () => {
  it('names account, user, key, who reported it and when', () => {
    const fields = blocksOf(fullInput())[1].fields?.map((f) => f.text);

    expect(fields).toEqual(
      expect.arrayContaining([
        `*Account*\n\`${ACCOUNT_ID}\``,
        '*User*\n`ci-deploy`',
        `*Access key*\n\`${KEY_ID}\``,
        '*Reported by*\nTrusted Advisor "Exposed Access Keys" (fraud type: Exposed)',
        '*Detected at*\n2026-11-20T09:59:00.000Z',
      ]),
    );
  });

  it('lists every containment action with its status, and the verification', () => {
    const done = sectionText(fullInput(), 'What was done');

    expect(done).toContain(`:white_check_mark: *done* deactivate-key: set access key ${KEY_ID} of user ci-deploy Inactive`);
    expect(done).toContain('*done* revoke-sessions: deny every session');
    expect(done).toContain('*done* quarantine: attach quarantine policy');
    expect(done).toContain('Verification (verified, 2026-11-20T10:00:03.000Z)');
    expect(done).toContain('quarantine policy attached');
  });

  it('links the incident report with a button, and puts its URL in the fallback text', () => {
    const message = slackMessage(fullInput());

    const actions = (message.blocks as Block[]).find((b) => b.type === 'actions');
    expect(actions?.elements).toEqual([expect.objectContaining({ type: 'button', url: REPORT_URL })]);
    expect(message.text).toContain(REPORT_URL);
  });

  it('has no report button when there is no report', () => {
    expect(blocksOf(failed()).some((b) => b.type === 'actions')).toBe(false);
  });

  it('lists what failed: the gaps of the investigation and the evidence', () => {
    const text = sectionText(withGaps(), 'What failed');

    expect(text).toContain('CloudTrail LookupEvents in ap-south-1: AccessDenied: not authorized');
    expect(text).toContain('Evidence: TransientAwsError: CreateSnapshots: Throttling');
    expect(slackMessage(withGaps()).text).toContain('some of the investigation could not be done');
    expect(sectionText(fullInput(), 'What failed')).toBeUndefined();
  });

  it('names the failed step and the failed containment branch', () => {
    const text = sectionText(failed(), 'What failed');

    expect(text).toContain('step *Contain*: ContainmentIncomplete: one or more containment actions failed after their retries');
    expect(text).toContain('containment DeactivateKey: TransientAwsError: UpdateAccessKey: Throttling: Rate exceeded');
    expect(sectionText(failed(), 'What was done')).toContain(':x: *FAILED* DeactivateKey');
  });

  it('says what was found: events, regions, what the key left behind, the evidence', () => {
    const text = sectionText(fullInput(), 'What was found');

    expect(text).toContain('*7* CloudTrail event(s) by the key in the last 10 day(s), 3 region(s) searched');
    expect(text).toContain('By region: eu-west-1 4, us-east-1 3');
    expect(text).toContain('Source IPs: `203.0.113.7` (7)');
    expect(text).toContain('Left behind: *1 user, 1 access key, 1 instance*');
    expect(text).toContain('• user `backdoor`');
    expect(text).toContain('• access key `AKIABACKDOOREXAMPLE1` of `backdoor`');
    expect(text).toContain('• instance `i-0miner` in eu-west-1 (RunInstances)');
    expect(text).toContain('Evidence (EBS snapshots of 1 instance(s)): created 1');
    expect(text).toContain('`snap-0abc`');
  });

  it('names the first few things left behind and counts the rest', () => {
    const users = Array.from({ length: 12 }, (_, i) => `backdoor-${i}`);
    const input = fullInput({ investigation: { ...INVESTIGATION, leftBehind: { ...INVESTIGATION.leftBehind, users, accessKeys: [], instances: [] } } });

    const text = sectionText(input, 'What was found') ?? '';

    expect(text).toContain('Left behind: *12 users*');
    expect(text).toContain('• user `backdoor-4`');
    expect(text).not.toContain('backdoor-5');
    expect(text).toContain('… and 7 more');
  });

  it('says when CloudTrail shows nothing left behind', () => {
    const input = fullInput({ investigation: { ...INVESTIGATION, leftBehind: { users: [], accessKeys: [], loginProfiles: [], roles: [], policies: [], instances: [] } } });

    expect(sectionText(input, 'What was found')).toContain('Left behind: nothing found in CloudTrail');
  });

  it.each([
    [{ status: 'communication-added', caseId: 'case-1', displayId: '1234567890' }, 'case `1234567890` was answered with what was done and found'],
    [{ status: 'case-created', caseId: 'case-2' }, 'security case `case-2` opened'],
    [{ status: 'already-answered', caseId: 'case-3' }, 'case `case-3` had already been answered'],
    [{ status: 'unavailable', reason: 'Basic support plan' }, 'no case could be opened or answered: Basic support plan'],
    [{ status: 'something-new', caseId: 'case-4' }, 'something-new (case `case-4`)'],
  ])('says what happened to the AWS support case (%o)', (support, expected) => {
    expect(sectionText(fullInput({ support }), 'AWS support')).toContain(expected);
  });

  it('reports a failed support step as a gap, not as a case status', () => {
    const support = { failed: { step: 'Support', error: lambdaError('AccessDeniedException', 'not authorized to perform support:AddCommunicationToCase') } };

    const input = fullInput({ support });

    expect(sectionText(input, 'AWS support')).toBeUndefined();
    expect(sectionText(input, 'What failed')).toContain('Support: AccessDeniedException: not authorized');
    expect(header(input)).toContain('CONTAINED, GAPS');
  });

  it('points to the execution and the logs', () => {
    const context = blocksOf(fullInput()).at(-1);

    expect(context?.type).toBe('context');
    expect(context?.elements?.[0].text).toContain(EXECUTION_ID);
    expect(context?.elements?.[0].text).toContain(`incidentId \`${KEY_ID}-20261120\``);
  });

  it('escapes what it did not write: no mention, no link can be smuggled in', () => {
    const input = fullInput({ incident: anIncident({ detail: 'Health <!channel> & <https://evil.example|click>' }) });

    const text = allText(input);

    expect(text).toContain('Health &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect(text).not.toContain('<!channel>');
  });
});

describe('slackMessage: unexpected shapes', () => {
  it('never throws on step results it cannot read, and says what it could not read', () => {
    const input = fullInput({
      containment: [CONTAINED[0], { what: 'is this' }, 42],
      verification: { status: 'maybe' },
      investigation: { eventCount: 'many', failures: 5, leftBehind: 'x' },
      evidence: { snapshots: 'none' },
      report: { consoleUrl: 42 },
      support: 'yes',
      failure: { step: 7 },
    });

    const message = slackMessage(input);

    expect(message.blocks.length).toBeGreaterThan(0);
    expect(sectionText(input, 'What was done')).toContain('2 containment result(s) could not be read');
  });

  it('says containment did not run when it did not', () => {
    expect(sectionText(fullInput({ containment: undefined }), 'What was done')).toContain('Containment did not run.');
  });

  it('shows a report location that is not an https URL as text, not as a button', () => {
    const input = fullInput({ report: { consoleUrl: 's3://incident-bucket/incidents/x/report.md' } });

    expect(blocksOf(input).some((b) => b.type === 'actions')).toBe(false);
    expect(sectionText(input, 'Incident report')).toContain('`s3://incident-bucket/incidents/x/report.md`');
  });
});

describe('slackMessage: Slack limits', () => {
  function huge(): SlackInput {
    const long = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
    const many = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
    return {
      incident: anIncident({
        accessKeyId: long('AKIA0123456789', 128),
        userName: long('u', 64),
        detail: long('Trusted Advisor ', 5000),
        leakLocation: long('https://github.com/acme/app/', 4000),
        awsCaseId: long('case-', 300),
      }),
      executionId: long(EXECUTION_ID, 2000),
      containment: many(200, (i) => ({ action: `action-${i}`, status: 'done', detail: long(`detail ${i} `, 2000), at: AT })),
      verification: { status: 'verified', otherKeys: [], quarantineAttached: true, checkedAt: AT, problems: many(100, (i) => long(`problem ${i} `, 700)) },
      investigation: {
        ...INVESTIGATION,
        eventCount: 100000,
        regions: many(40, (i) => `region-${i}`),
        byRegion: Object.fromEntries(many(40, (i) => [`region-${i}`, i])),
        sourceIps: many(500, (i) => ({ value: `198.51.100.${i}`, count: i })),
        leftBehind: {
          users: many(1000, (i) => long(`user-${i}-`, 64)),
          accessKeys: many(1000, (i) => ({ userName: `u${i}`, accessKeyId: `AKIA${i}` })),
          loginProfiles: many(100, (i) => `u${i}`),
          roles: many(100, (i) => `role-${i}`),
          policies: many(100, (i) => `arn:aws:iam::123456789012:policy/p-${i}`),
          instances: many(500, (i) => ({ region: 'eu-west-1', instanceId: `i-${i}`, via: 'RunInstances' })),
        },
        failures: many(300, (i) => ({ what: `region-${i}`, error: long('AccessDenied ', 1000) })),
      },
      evidence: { snapshots: many(300, (i) => ({ region: 'eu-west-1', instanceId: `i-${i}`, status: i % 2 ? 'failed' : 'created', error: long('x', 500), snapshotIds: many(20, (j) => `snap-${i}-${j}`) })) },
      report: { consoleUrl: `https://s3.console.aws.amazon.com/s3/object/b?prefix=${long('k', 5000)}` },
      support: { status: 'unavailable', reason: long('no support ', 10000) },
      failure: { step: long('Step', 500), error: lambdaError('Boom', long('cause ', 20000)) },
    };
  }

  /** Every limit of Block Kit the message uses, checked on the JSON as Slack gets it. */
  function expectWithinLimits(message: { text: string; blocks: unknown[] }): void {
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
    expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    for (const block of message.blocks as Block[]) {
      if (block.type === 'header') expect(block.text?.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header);
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
      if (block.fields) {
        expect(block.fields.length).toBeLessThanOrEqual(SLACK_LIMITS.fields);
        for (const f of block.fields) expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.field);
      }
      for (const e of block.elements ?? []) {
        if (e.type === 'button') {
          expect(e.url.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonUrl);
          expect(e.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
        } else {
          expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text);
        }
      }
    }
  }

  it('keeps every text within Slack limits, whatever the input', () => {
    const message = slackMessage(huge());

    expectWithinLimits(message);
    expect(JSON.stringify(message).length).toBeLessThan(40000);
  });

  it('still leads with the tag and the key, and says that more was cut', () => {
    const input = huge();

    expect(header(input).startsWith(':rotating_light: FAILED: exposed access key AKIA0123456789')).toBe(true);
    expect(sectionText(input, 'What was done')).toMatch(/_… and \d+ more \(see the incident report\)_$/);
    expect(sectionText(input, 'What failed')).toMatch(/more \(see the incident report\)_$/);
  });

  it('keeps a normal incident within the limits too', () => {
    expectWithinLimits(slackMessage(fullInput()));
  });
});

describe('helpers', () => {
  it('clip never ends on half a surrogate pair and never exceeds the limit', () => {
    const text = 'ab😀😀😀';

    for (let max = 2; max < text.length; max += 1) {
      const clipped = clip(text, max);
      expect(clipped.length).toBeLessThanOrEqual(max);
      expect(clipped).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });

  it('fit keeps the head and as many lines as fit', () => {
    const text = fit('*T*', ['a'.repeat(50), 'b'.repeat(50), 'c'.repeat(50)], 150);

    expect(text.length).toBeLessThanOrEqual(150);
    expect(text.startsWith('*T*\naaaa')).toBe(true);
    expect(text).toMatch(/bbbb\n_… and 1 more \(see the incident report\)_$/);
  });

  it('esc escapes the three characters Slack reserves', () => {
    expect(esc('a & b < c > d')).toBe('a &amp; b &lt; c &gt; d');
  });

  it('readState gives the email a NotifyInput it accepts', () => {
    const { notify } = readState(fullInput());

    const typed: NotifyInput = notify;
    expect(typed.containment).toEqual(CONTAINED);
    expect(typed.verification?.status).toBe('verified');
  });
});

import { buildReport, IncidentReport } from '../../../lambdas/report/record';
import { WorkflowState } from '../../../lambdas/shared/state';
import { clip, esc, fit, SLACK_LIMITS, slackMessage } from '../../../lambdas/slack/blocks';
import { ACCOUNT_ID, anIncident, KEY_ID } from '../helpers';
import { AT, CONTAINED, EXECUTION_ID, fullInput, INVESTIGATION, lambdaError, REPORT, REPORT_URL } from './fixtures';

type Block = { type: string; text?: { type: string; text: string }; fields?: Array<{ text: string }>; elements?: any[] };

const NOW = new Date('2026-11-20T10:05:00.000Z');
const DEACTIVATE = `aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive`;

function record(overrides: Partial<WorkflowState> = {}): IncidentReport {
  return buildReport(fullInput(overrides), NOW);
}

function blocksOf(report: IncidentReport): Block[] {
  return slackMessage(report).blocks as Block[];
}

/** Every text a reader sees, in order. */
function allText(report: IncidentReport): string {
  return blocksOf(report)
    .flatMap((b) => [b.text?.text, ...(b.fields ?? []).map((f) => f.text), ...(b.elements ?? []).map((e) => e.text?.text ?? e.text)])
    .filter((t): t is string => typeof t === 'string')
    .join('\n');
}

function sectionText(report: IncidentReport, title: string): string | undefined {
  return blocksOf(report).find((b) => b.type === 'section' && b.text?.text.startsWith(`*${title}*`))?.text?.text;
}

function header(report: IncidentReport): string {
  const h = blocksOf(report)[0];
  expect(h.type).toBe('header');
  return h.text?.text ?? '';
}

const failedContainment = () =>
  record({
    containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'not authorized to perform iam:UpdateAccessKey') } }, CONTAINED[1], CONTAINED[2]],
    verification: { failed: { step: 'Verify', error: lambdaError('ContainmentNotVerifiedError', 'access key is Active') } },
  });
const dryRun = () => record({ containment: CONTAINED.map((s) => ({ ...s, status: 'dry-run' as const, detail: `would ${s.detail}` })), verification: undefined });

describe('slackMessage renders the record: outcome and what is still open first', () => {
  it('heads with the outcome\'s tag and emoji, then the headline and what is still open', () => {
    const report = failedContainment();
    const blocks = blocksOf(report);

    expect(header(report)).toBe(`:rotating_light: FAILED: exposed access key ${KEY_ID}`);
    expect(blocks[1].text?.text.split('\n').slice(0, 4)).toEqual([
      `*Containment FAILED (DeactivateKey): access key ${KEY_ID} may still work*`,
      '*Still open, do this first:*',
      `1. Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.`,
      `\`\`\`${DEACTIVATE}\`\`\``,
    ]);
  });

  it('says nothing is open after a clean response', () => {
    expect(blocksOf(record())[1].text?.text).toBe('*Exposed access key contained*\nStill open: nothing, containment is in place.');
    expect(header(record())).toBe(`:white_check_mark: CONTAINED: exposed access key ${KEY_ID}`);
  });

  it('carries the same follow-ups and undo steps as the record, not a pointer to the email', () => {
    const report = record();
    const text = allText(report);

    for (const f of report.followUps) expect(text).toContain(esc(f));
    for (const u of report.undo) expect(text).toContain(`\`\`\`${u.command}\`\`\``);
    expect(text).not.toContain('the email');
  });

  it('says "would" in a dry run, with no undo section', () => {
    const report = dryRun();

    expect(header(report)).toBe(`:information_source: DRY RUN: exposed access key ${KEY_ID}`);
    expect(sectionText(report, 'What would have been done (dry run)')).toContain(`:test_tube: deactivate-key: would set access key ${KEY_ID} of user ci-deploy Inactive`);
    expect(sectionText(report, 'Undo, once the user is clean')).toBeUndefined();
    expect(allText(report)).not.toContain('*done*');
  });

  it('names account, user and key, and the user the report named who was not changed', () => {
    const report = buildReport(fullInput({ incident: { ...anIncident(), reportedUserName: 'alice', reporterNote: 'pasted in #general' } }), NOW);

    expect(allText(report)).toContain(`*Account*\n\`${ACCOUNT_ID}\``);
    expect(sectionText(report, 'Note')).toBe('*Note*\nThe report named user alice, who does not own this key: alice was not changed.\nThe reporter wrote: "pasted in #general"');
  });

  it('lists the attacker\'s notable calls with time, region and source IP', () => {
    const report = record({ investigation: { ...INVESTIGATION, notable: [{ eventTime: '2026-11-20T09:41:00Z', region: 'eu-west-1', eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', sourceIp: '203.0.113.7', summary: 'RunInstances i-0miner' }] } });

    expect(sectionText(report, 'What was found')).toContain('• 2026-11-20T09:41:00Z eu-west-1 `203.0.113.7` *RunInstances*: RunInstances i-0miner');
  });

  it('links the record with a button, and the console pages in the context line', () => {
    const report = record();
    const blocks = blocksOf(report);

    expect(blocks.find((b) => b.type === 'actions')?.elements?.[0]).toMatchObject({ type: 'button', url: REPORT_URL });
    const context = blocks.find((b) => b.type === 'context')?.elements?.[0].text as string;
    expect(context).toContain(`|IAM user ci-deploy>`);
    expect(context).toContain(`/states/home?region=us-east-1#/v2/executions/details/${encodeURIComponent(EXECUTION_ID)}|Step Functions execution>`);
  });

  it('escapes what it did not write: no mention, no link can be smuggled in', () => {
    const report = record({ incident: anIncident({ detail: '<!channel> <https://evil.example|click>' }) });

    expect(allText(report)).toContain('&lt;!channel&gt; &lt;https://evil.example|click&gt;');
    expect(allText(report)).not.toContain('<!channel>');
  });

  it('is pure: the same record renders the same message', () => {
    expect(slackMessage(record())).toEqual(slackMessage(record()));
  });
});

describe('slackMessage: Slack limits', () => {
  function huge(): IncidentReport {
    const long = (s: string, n: number) => s.repeat(Math.ceil(n / s.length)).slice(0, n);
    const many = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
    return buildReport({
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
      evidence: { snapshots: many(300, (i) => ({ region: 'eu-west-1', instanceId: `i-${i}`, status: i % 2 ? 'failed' : 'created', error: long('x', 500), snapshotIds: many(20, (j) => `snap-${i}-${j}`), volumeIds: [] })) },
      report: { ...REPORT, consoleUrl: `https://s3.console.aws.amazon.com/s3/object/b?prefix=${long('k', 5000)}` },
      support: { status: 'unavailable', reason: long('no support ', 10000) },
      slack: { failed: { step: long('Step', 500), error: lambdaError('Boom', long('cause ', 20000)) } },
    }, NOW);
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

    expect(header(input).startsWith(':warning: CONTAINED WITH GAPS: exposed access key AKIA0123456789')).toBe(true);
    expect(sectionText(input, 'What was done')).toMatch(/_… and \d+ more \(see the incident report\)_$/);
    expect(sectionText(input, 'What failed')).toMatch(/more \(see the incident report\)_$/);
  });

  it('keeps a normal incident within the limits too', () => {
    expectWithinLimits(slackMessage(record()));
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
});

describe('slackMessage: commands', () => {
  it('never cuts a command: the long quarantine policy of a dry run is whole', () => {
    const report = dryRun();
    const quarantine = report.stillOpen.find((o) => o.command?.includes('ExposedKeyResponder-Quarantine'))?.command ?? '';

    expect(quarantine.length).toBeGreaterThan(600);
    expect(blocksOf(report)[1].text?.text).toContain(`\`\`\`${esc(quarantine)}\`\`\``);
  });
});

import { renderMarkdown, text } from '../../../lambdas/report/markdown';
import { buildReport } from '../../../lambdas/report/report';
import { ACCOUNT_ID, KEY_ID } from '../helpers';
import { aState, containment, evidence, GENERATED_AT, investigation, lambdaError } from './fixtures';

function render(...args: Parameters<typeof aState>): string {
  return renderMarkdown(buildReport(aState(...args), GENERATED_AT));
}

/** The lines of one `## ` section. */
function sectionOf(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  expect(start).toBeGreaterThanOrEqual(0);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

describe('renderMarkdown', () => {
  it('starts with a headline naming the outcome, the key, the user and the account', () => {
    const md = render();

    expect(md.split('\n')[0]).toBe(`# [CONTAINED] Exposed access key \`${KEY_ID}\` of \`ci-deploy\` in account \`${ACCOUNT_ID}\``);
    expect(md).toContain('**Exposed access key contained**');
  });

  it('has every section, in order', () => {
    const md = render();

    const titles = md.split('\n').filter((l) => l.startsWith('## ')).map((l) => l.slice(3));
    expect(titles).toEqual([
      'Still open',
      'Facts',
      'Timeline',
      'What was done',
      'What failed',
      'What the key did',
      'What the key can do',
      'What the key left behind',
      'Evidence',
      'Manual follow-ups',
      'Undo (once the user is clean)',
      'Where to look',
    ]);
  });

  it('puts the facts in a table', () => {
    const facts = sectionOf(render({}, { awsCaseId: 'case-123456789012-muen-2026-1a2b3c' }), 'Facts');

    expect(facts).toContain(`| Account | \`${ACCOUNT_ID}\` |`);
    expect(facts).toContain('| User | `ci-deploy` |');
    expect(facts).toContain(`| Access key | \`${KEY_ID}\` |`);
    expect(facts).toContain('| AWS case | `case-123456789012-muen-2026-1a2b3c` |');
    expect(facts).toContain(`| Incident id | \`${KEY_ID}-20261120\` |`);
  });

  it('lists the evidence snapshot ids per instance', () => {
    const section = sectionOf(render(), 'Evidence');

    expect(section).toContain('| `eu-west-1` | `i-0aaaaaaaaaaaaaaa1` | created | `snap-0eu1root`, `snap-0eu1data` | `vol-0eu1root`, `vol-0eu1data` |  |');
    expect(section).toContain('`snap-0eu2root`');
    expect(section).toContain('| `ap-southeast-2` | `i-0bbbbbbbbbbbbbbb1` | gone |');
  });

  it('lists the instances the key left behind under their region', () => {
    const section = sectionOf(render(), 'What the key left behind');

    const eu = section.indexOf('#### `eu-west-1`');
    const ap = section.indexOf('#### `ap-southeast-2`');
    expect(ap).toBeGreaterThan(0);
    expect(eu).toBeGreaterThan(ap);
    expect(section.slice(ap, eu)).toContain('- `i-0bbbbbbbbbbbbbbb1` (StartInstances)');
    expect(section.slice(eu)).toContain('- `i-0aaaaaaaaaaaaaaa1` (RunInstances)');
    expect(section.slice(eu)).toContain('- `i-0aaaaaaaaaaaaaaa2` (RunInstances)');
    expect(section).toContain('- Users created: `backdoor`');
    expect(section).toContain('- Access keys created: `AKIABACKDOOR00000001` of `backdoor`');
  });

  it('shows the activity per region and the notable calls', () => {
    const section = sectionOf(render(), 'What the key did');

    expect(section).toContain('42 CloudTrail event(s) from 2026-11-10T10:00:00.000Z to 2026-11-20T10:00:02.000Z (10 days), 3 region(s) searched.');
    expect(section).toContain('| `eu-west-1` | 30 |');
    expect(section).toContain('| `ec2:RunInstances` |');
    expect(section).toContain('`s3://exposed-key-responder-incidents-123456789012/incidents/AKIAIOSFODNN7EXAMPLE-20261120/activity.jsonl`');
  });

  it('says under the activity when the wave\'s shared CloudTrail search could not be used', () => {
    const section = sectionOf(render({ investigation: investigation({ sharedSearchProblems: [{ region: 'us-east-1', searchedAlone: true, error: 's3:GetObject: Throttling: Rate exceeded (gave up after 5 attempts)' }] }) }), 'What the key did');

    expect(section).toContain(
      "\n\nThe wave's shared CloudTrail search could not be used (s3:GetObject: Throttling: Rate exceeded (gave up after 5 attempts)): this key's CloudTrail was searched on its own in us-east-1: complete, but slower and with more LookupEvents calls against the account's 2 a second.\n",
    );
  });

  it('shows what the key could do before containment and what it can do now', () => {
    const section = sectionOf(render(), 'What the key can do');

    expect(section).toContain('- Attached policies: `arn:aws:iam::aws:policy/AdministratorAccess`');
    expect(section).toContain('- High-risk actions allowed before containment: `iam:CreateUser`, `ec2:RunInstances`, `s3:GetObject`');
    expect(section).toContain('- High-risk actions allowed now: `iam:CreateUser`, `ec2:RunInstances`');
  });

  it('lists what failed, from every source', () => {
    const md = render({
      containment: [{ failed: { step: 'DeactivateKey', error: lambdaError('AccessDenied', 'not authorized') } }, ...containment().slice(1)],
      verification: undefined,
      investigation: investigation({ failures: [{ what: 'LookupEvents in me-south-1', error: 'UnrecognizedClientException' }] }),
      evidence: evidence({ snapshots: [{ region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'failed', snapshotIds: [], volumeIds: [], error: 'SnapshotLimitExceeded' }] }),
    });
    const section = sectionOf(md, 'What failed');

    expect(md.split('\n')[0]).toMatch(/^# \[FAILED\] /);
    expect(section).toContain('| containment | DeactivateKey | AccessDenied: not authorized |');
    expect(section).toContain('| investigation | LookupEvents in me-south-1 | UnrecognizedClientException |');
    expect(section).toContain('| evidence | snapshots of instance i-0aaaaaaaaaaaaaaa1 in eu-west-1 | SnapshotLimitExceeded |');
    const open = sectionOf(md, 'Still open');
    expect(open).toContain(`1. Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.`);
    expect(open).toContain(`   aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive`);
    expect(open).toContain('aws ec2 create-snapshots --region eu-west-1 --instance-specification InstanceId=i-0aaaaaaaaaaaaaaa1');
  });

  it('says so when nothing failed', () => {
    expect(sectionOf(render(), 'What failed')).toContain('Nothing failed.');
  });

  it('makes text from outside inert: no HTML, no table break-out, one line', () => {
    const md = render();

    expect(md).not.toContain('<script>');
    expect(md).toContain('aws-cli/2.15.0 \\<script\\>alert(1)\\</script\\> \\| evil');
    expect(text('a\nb|c')).toBe('a b\\|c');
  });

  it('keeps the tables whole when a name carries a pipe', () => {
    const facts = sectionOf(render({}, { userName: 'odd|name' }), 'Facts');

    expect(facts).toContain('| User | odd\\|name |');
  });

  it('says a dry run snapshotted nothing', () => {
    const md = render({
      containment: containment('dry-run'),
      evidence: evidence({ dryRun: true, snapshots: [{ region: 'eu-west-1', instanceId: 'i-0aaaaaaaaaaaaaaa1', status: 'dry-run', snapshotIds: [], volumeIds: ['vol-0a'] }] }),
    });

    expect(md.split('\n')[0]).toMatch(/^# \[DRY RUN\] /);
    expect(sectionOf(md, 'Evidence')).toContain('Dry run: nothing was snapshotted.');
    expect(sectionOf(md, 'What would have been done (dry run)')).toContain('- Evidence: 1 instance(s): 1 would be snapshotted (dry run).');
    expect(sectionOf(md, 'Undo (once the user is clean)')).toContain('Nothing to undo: this was a dry run.');
    expect(md).not.toContain('**done**');
  });

  it('numbers the manual follow-ups, naming what to clean up', () => {
    const section = sectionOf(render(), 'Manual follow-ups');

    expect(section).toMatch(/\n1\. Rotate the key in the application that used it/);
    expect(section).toContain('backdoor');
    expect(section).toContain('i-0aaaaaaaaaaaaaaa1');
  });

  it('for a root key, tells the root user to act', () => {
    const md = render({ containment: containment('skipped') }, { userName: 'root', principalType: 'root' });

    expect(md.split('\n')[0]).toMatch(/^# \[ACTION REQUIRED\] /);
    expect(md).toContain('(the account root user)');
    expect(sectionOf(md, 'Still open')).toContain('1. Root access key');
    expect(sectionOf(md, 'Still open')).toContain('sign in as the root user NOW');
  });

  it('renders a report of a response that stopped early', () => {
    const md = render({
      containment: [{ failed: { step: 'DeactivateKey', error: { Error: 'States.Timeout' } } }],
      verification: undefined,
      investigation: undefined,
      evidence: undefined,
    });

    expect(md).toContain('- Verification did not run.');
    expect(md).toContain('The investigation did not run.');
    expect(md).toContain('The evidence step did not run.');
    expect(sectionOf(md, 'What the key left behind')).toContain('Not known');
  });

  it('quotes what the report said and puts each open item\'s command in a code block', () => {
    const md = render({ containment: containment('dry-run'), verification: undefined }, { reportedUserName: 'alice', reporterNote: 'found in a *public* gist' });

    expect(md).toContain('> The report named user alice, who does not own this key: alice was not changed.');
    expect(md).toContain('> The reporter wrote: "found in a \\*public\\* gist"');
    expect(sectionOf(md, 'Still open')).toContain(`1. Access key ${KEY_ID} of ci-deploy is still Active: deactivate it now.\n\n   \`\`\`\n   aws iam update-access-key --user-name ci-deploy --access-key-id ${KEY_ID} --status Inactive\n   \`\`\``);
  });
});

// `npm run lint:cfn`: cfn-lint, as .cfnlintrc configures it (the region, the ignored rules and
// why), on the templates `cdk synth` wrote to cdk.out (npm test's synth: the default context), then
// on the stack synthesized with every optional feature on (into a temporary directory, removed
// afterwards): the resources only a context key adds are linted too, and organization mode's member
// template (the StackSet's TemplateBody). Errors and warnings fail it.
// Skips with one line where cfn-lint is missing (test/tools/external-checks.ts).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/bundling';
import { ensureSynthesized, toolMissing } from '../tools/external-checks';

const CFN_LINT = process.env.EKR_CFN_LINT ?? 'cfn-lint';

/** Every optional feature of the stack on (README "Configuration"): the report bus, the readers' Deny, Object Lock, Slack... */
export const ALL_OPTIONS: Readonly<Record<string, string>> = {
  notificationEmail: 'secops@example.com',
  reporters: 'arn:aws:iam::123456789012:role/secops',
  incidentReaders: 'arn:aws:iam::123456789012:role/security-*',
  incidentRetentionDays: '365',
  slackWebhookSecret: 'exposed-key-responder/slack-webhook',
  stopLaunchedInstances: 'true',
  logExecutionData: 'true',
  protectedUsers: 'breakglass,/emergency/*',
  protectedRoles: 'OrganizationAccountAccessRole',
  organizationId: 'o-a1b2c3d4e5',
  memberOrganizationalUnits: 'ou-ab12-abcdefgh',
};

/** Organization mode: the member template is the StackSet's TemplateBody; written next to the stack's to be linted with it. */
function writeMemberTemplates(dir: string): void {
  for (const file of templatesIn(dir)) {
    const resources = (JSON.parse(readFileSync(file, 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: { TemplateBody?: string } }> }).Resources ?? {};
    for (const [id, r] of Object.entries(resources)) {
      if (r.Type === 'AWS::CloudFormation::StackSet' && r.Properties?.TemplateBody) writeFileSync(path.join(dir, `${id}.member.template.json`), r.Properties.TemplateBody);
    }
  }
}

function lint(label: string, templates: string[]): number {
  const started = Date.now();
  const run = spawnSync(CFN_LINT, ['--config-file', '.cfnlintrc', '--non-zero-exit-code', 'warning', '--', ...templates], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(run.status === 0 ? `cfn-lint: ${label}: no error or warning (${seconds} s)\n` : `cfn-lint: ${label}: FAILED (exit ${run.status}), see above\n`);
  return run.status ?? 1;
}

const templatesIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.template.json')).map((f) => path.join(dir, f));

function main(): number {
  const version = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return toolMissing('cfn-lint', `${CFN_LINT} is not installed (pip install cfn-lint)`);
  process.stdout.write(`cfn-lint: ${version.stdout.trim()}\n`);
  const synth = ensureSynthesized('cfn-lint');
  if (synth !== 0) return synth;
  const cdkOut = path.join(PROJECT_ROOT, 'cdk.out');
  const defaults = lint('cdk.out (default context)', templatesIn(cdkOut));

  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk.out-cfn-lint-'));
  try {
    const context = Object.entries(ALL_OPTIONS).flatMap(([k, v]) => ['-c', `${k}=${v}`]);
    // Its bundling and synth logs are shown only when it fails.
    const full = spawnSync('npx', ['cdk', 'synth', '--quiet', '-o', outdir, ...context], { cwd: PROJECT_ROOT, encoding: 'utf8' });
    if (full.status !== 0) {
      process.stderr.write(`${full.stdout}${full.stderr}cfn-lint: the synth with every option (${Object.keys(ALL_OPTIONS).join(', ')}) failed\n`);
      return 1;
    }
    writeMemberTemplates(outdir);
    const everything = lint(`every optional feature on (${Object.keys(ALL_OPTIONS).join(', ')})`, templatesIn(outdir));
    return defaults || everything;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

process.exitCode = main();

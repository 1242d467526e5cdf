// `npm run lint:cfn`: cfn-lint on the synthesized templates, as .cfnlintrc configures it (which
// templates, the region, the ignored rules and why). Errors and warnings fail it. Skips with one
// line where cfn-lint is missing (test/tools/external-checks.ts).
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../lib/bundling';
import { ensureSynthesized, toolMissing } from '../tools/external-checks';

const CFN_LINT = process.env.EKR_CFN_LINT ?? 'cfn-lint';

function main(): number {
  const version = spawnSync(CFN_LINT, ['--version'], { encoding: 'utf8' });
  if (version.error || version.status !== 0) return toolMissing('cfn-lint', `${CFN_LINT} is not installed (pip install cfn-lint)`);
  const synth = ensureSynthesized('cfn-lint');
  if (synth !== 0) return synth;
  const started = Date.now();
  const lint = spawnSync(CFN_LINT, ['--config-file', '.cfnlintrc', '--non-zero-exit-code', 'warning'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(lint.status === 0 ? `cfn-lint: ${version.stdout.trim()}: no error or warning in cdk.out/*.template.json (${seconds} s)\n` : `cfn-lint: FAILED (exit ${lint.status}), see above\n`);
  return lint.status ?? 1;
}

process.exitCode = main();

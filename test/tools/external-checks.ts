// Shared by the checks that need a tool this project does not install (moto, cfn-lint): they run
// on the synthesized cloud assembly, and skip with one line where their tool is missing, unless
// EKR_REQUIRE_TOOLS=1 (.ci/run sets it: the CI machine has them).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/bundling';

/** What `cdk synth` reads: a cloud assembly older than any of these is stale. */
const SOURCES = ['bin', 'lib', 'lambdas', 'state-machines', 'cdk.json', 'package-lock.json'];

function newest(entry: string): number {
  const full = path.join(PROJECT_ROOT, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((child) => newest(path.join(entry, child))));
}

/**
 * Makes sure cdk.out holds the synthesis of the current sources (`npm test` ends with one; run
 * alone, a check synthesizes first). Returns the exit code of the synth, 0 when none was needed.
 */
export function ensureSynthesized(check: string): number {
  const manifest = path.join(PROJECT_ROOT, 'cdk.out', 'manifest.json');
  if (existsSync(manifest) && statSync(manifest).mtimeMs >= Math.max(...SOURCES.map(newest))) return 0;
  process.stdout.write(`${check}: cdk.out is missing or older than the sources: cdk synth first\n`);
  return spawnSync('npx', ['cdk', 'synth', '--quiet'], { cwd: PROJECT_ROOT, stdio: 'inherit' }).status ?? 1;
}

/** One line saying the check did not run, and its exit code: 0 (skipped), or 1 under EKR_REQUIRE_TOOLS=1. */
export function toolMissing(check: string, why: string): number {
  if (process.env.EKR_REQUIRE_TOOLS === '1') {
    process.stderr.write(`${check}: FAILED: ${why}, and EKR_REQUIRE_TOOLS=1 requires it\n`);
    return 1;
  }
  process.stdout.write(`${check}: skipped: ${why}\n`);
  return 0;
}

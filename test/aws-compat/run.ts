// `npm run test:aws-compat`: the wire check (test/aws-compat/incident.compat.ts) when moto is here.
// Skips with one line where python3 or moto is missing, unless EKR_REQUIRE_TOOLS=1 (CI), where
// that is a failure. Synthesizes first when cdk.out is missing or older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../../lib/bundling';
import { motoUnavailable } from './moto';

const SOURCES = ['bin', 'lib', 'lambdas', 'state-machines', 'cdk.json', 'package-lock.json'];

function newestSource(entry: string): number {
  const full = path.join(PROJECT_ROOT, entry);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((child) => newestSource(path.join(entry, child))));
}

function main(): number {
  const missing = motoUnavailable();
  if (missing) {
    if (process.env.EKR_REQUIRE_TOOLS === '1') {
      process.stderr.write(`aws-compat: FAILED: ${missing}, and EKR_REQUIRE_TOOLS=1 requires it\n`);
      return 1;
    }
    process.stdout.write(`aws-compat: skipped: ${missing}\n`);
    return 0;
  }
  const manifest = path.join(PROJECT_ROOT, 'cdk.out', 'manifest.json');
  if (!existsSync(manifest) || statSync(manifest).mtimeMs < Math.max(...SOURCES.map(newestSource))) {
    process.stdout.write('aws-compat: cdk.out is missing or older than the sources: cdk synth first\n');
    const synth = spawnSync('npx', ['cdk', 'synth', '--quiet'], { cwd: PROJECT_ROOT, stdio: 'inherit' });
    if (synth.status !== 0) return synth.status ?? 1;
  }
  const jest = spawnSync('npx', ['jest', '--config', 'test/aws-compat/jest.config.js', ...process.argv.slice(2)], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  return jest.status ?? 1;
}

process.exitCode = main();

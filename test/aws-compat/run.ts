// `npm run test:aws-compat`: the wire check (test/aws-compat/incident.compat.ts) when moto is here.
// Skips with one line where python3 or moto is missing (test/tools/external-checks.ts).
import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT } from '../../lib/bundling';
import { ensureSynthesized, toolMissing } from '../tools/external-checks';
import { motoUnavailable } from './moto';

function main(): number {
  const missing = motoUnavailable();
  if (missing) return toolMissing('aws-compat', missing);
  const synth = ensureSynthesized('aws-compat');
  if (synth !== 0) return synth;
  const jest = spawnSync('npx', ['jest', '--config', 'test/aws-compat/jest.config.js', ...process.argv.slice(2)], { cwd: PROJECT_ROOT, stdio: 'inherit' });
  return jest.status ?? 1;
}

process.exitCode = main();

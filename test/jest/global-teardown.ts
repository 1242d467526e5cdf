import { readdirSync, rmSync } from 'node:fs';

/**
 * Fails the run when a test left a CDK output directory (`cdk.out*`) in the temporary directory:
 * every App of the tests must synthesize into a directory that is removed afterwards (see
 * test/lib/helpers.ts). Then removes the run's temporary directory.
 */
export default function globalTeardown(): void {
  const dir = process.env.EXPOSED_KEY_RESPONDER_JEST_TMPDIR;
  if (!dir) return;
  const left = readdirSync(dir).filter((name) => name.startsWith('cdk.out'));
  rmSync(dir, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`The tests left ${left.length} CDK output folder(s) in the temporary directory (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', ...' : ''}): synthesize into an outdir the test removes (test/lib/helpers.ts testApp).`);
  }
}

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/**
 * Gives the test run a temporary directory of its own (TMPDIR, inherited by the jest workers), so
 * that global-teardown.ts can tell what this run left behind, whatever else runs on the machine.
 */
export default function globalSetup(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'exposed-key-responder-jest-'));
  process.env.EXPOSED_KEY_RESPONDER_JEST_TMPDIR = dir;
  process.env.TMPDIR = dir;
}

/**
 * The jest configuration StrykerJS runs (stryker.config.mjs): the project's own, with
 * - `roots` spanning the code as well as the tests, so that jest's related-test lookup
 *   (`--findRelatedTests`, one run per mutant) follows imports through lambdas/ and drill/ (with
 *   only test/ as a root, a test reaching the mutated file through another module would not be
 *   found, and the mutant would survive untested);
 * - only the tests of the group being mutated (MUTATION_TESTS, comma-separated folders or
 *   `*.test.ts` files under test/, set by stryker.config.mjs from scripts/mutation-groups.mjs):
 *   loading every related suite (the workflow and drill ones reach every Lambda) costs more per
 *   mutant than the suite itself;
 * - without the handlers' tests (index.test.ts: each loads the Lambda afresh, seconds per test,
 *   for a thin adapter outside the safety core; test/lambdas/shared/environment.test.ts builds
 *   every handler from its environment table), which the related-test lookup would otherwise
 *   load for every mutant;
 * - no global setup/teardown: Stryker runs jest many times in one process, and the per-run TMPDIR
 *   of test/jest/global-setup.ts (removed by its teardown) would be gone for the next run;
 * - jest's own 5 s test timeout instead of the project's 60 s (set for the synthesis and workflow
 *   tests, not run here; these unit tests take milliseconds): a mutant that makes a test wait
 *   forever fails it in 5 s instead of holding a worker until Stryker's own timeout.
 */
const base = require('../../jest.config.js');

const { globalSetup: _setup, globalTeardown: _teardown, ...rest } = base;
const folders = (process.env.MUTATION_TESTS ?? 'lambdas').split(',').map((f) => f.trim()).filter(Boolean);

/** @type {import('jest').Config} */
module.exports = {
  ...rest,
  rootDir: '../..',
  roots: ['<rootDir>/test', '<rootDir>/lambdas', '<rootDir>/drill'],
  testMatch: folders.map((f) => (f.endsWith('.test.ts') ? `<rootDir>/test/${f}` : `<rootDir>/test/${f}/**/*.test.ts`)),
  testPathIgnorePatterns: ['/node_modules/', '/index\\.test\\.ts$', '/test/lambdas/shared/environment\\.test\\.ts$'],
  testTimeout: 5000,
};

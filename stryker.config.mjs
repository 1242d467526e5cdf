// Mutation testing of the safety core: `npm run mutation` (see README, "Mutation testing").
// Each mutant runs against the tests that reach the mutated file (jest --findRelatedTests, see
// test/jest/mutation.config.js) and, within them, only the tests that execute the mutated code.
import { GROUPS } from './scripts/mutation-groups.mjs';

const TEMP_DIR = 'reports/.stryker-tmp';

const group = GROUPS[process.env.MUTATION_GROUP ?? ''];
if (!group) throw new Error(`MUTATION_GROUP must be one of ${Object.keys(GROUPS).join(', ')}: run npm run mutation (scripts/mutation.mjs)`);
// Read by test/jest/mutation.config.js in the test runner processes (they inherit the environment).
process.env.MUTATION_TESTS = group.tests.join(',');
const REPORT_DIR = `reports/mutation/${process.env.MUTATION_GROUP}`;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', configFile: 'test/jest/mutation.config.js', enableFindRelatedTests: true },
  // Only the tests that run the mutated code are run for each mutant.
  coverageAnalysis: 'perTest',
  // Type errors are not what this measures: swc strips types, `npm test` checks them.
  checkers: [],
  mutate: group.mutate,
  // The sandbox needs the code, the tests, the drill, the fixtures and the configuration.
  ignorePatterns: ['cdk.out', '.drill-out', 'reports', 'bench', 'docs', '.ci'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `${REPORT_DIR}/index.html` },
  jsonReporter: { fileName: `${REPORT_DIR}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  // Two cores: one jest worker each.
  concurrency: 2,
  // Generous: the machine may be shared, and a slow run must not pass for an infinite loop.
  timeoutMS: 60000,
  timeoutFactor: 2,
  tempDirName: TEMP_DIR,
  // Reruns test again only the mutants whose code or covering tests changed (the file is per group).
  incremental: true,
  incrementalFile: `${REPORT_DIR}/incremental.json`,
  thresholds: { high: 90, low: 80, break: null },
};

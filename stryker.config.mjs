// Mutation testing of the safety core: `npm run mutation` (see README, "Mutation testing").
// Each mutant runs only the tests that execute the mutated code, loading only the test files that
// hold them, one after the other until one fails (the `jest-by-file` runner,
// scripts/stryker-jest-by-file.mjs); a static mutant runs
// every test that reaches the mutated file (jest --findRelatedTests, see test/jest/mutation.config.js).
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
  testRunner: 'jest-by-file',
  appendPlugins: ['./scripts/stryker-jest-by-file.mjs'],
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
  // Added to twice a mutant's covering tests' time in the first run: a mutant's run takes 1 to 3 s
  // on 2 idle cores, so 15 s is ample; a timed-out mutant counts as killed, so a much lower value
  // would let a slow machine kill mutants no test notices. Each timeout holds a worker this long.
  timeoutMS: 15000,
  timeoutFactor: 2,
  tempDirName: TEMP_DIR,
  // Reruns test again only the mutants whose code or covering tests changed (the file is per group).
  incremental: true,
  incrementalFile: `${REPORT_DIR}/incremental.json`,
  thresholds: { high: 90, low: 80, break: null },
};

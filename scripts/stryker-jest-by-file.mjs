// A StrykerJS test runner `jest-by-file` (stryker.config.mjs): the jest runner of
// @stryker-mutator/jest-runner, except that a mutant's run loads only the test files that hold
// the tests covering it, one file after the other, and stops at the first file with a failing
// test (the mutant is killed: Stryker reports the first killer only, `disableBail` unset).
//
// Why: with per-test coverage the jest runner runs, for each mutant, the covering tests by name
// (`--testNamePattern`) but loads every test file related to the mutated file
// (`--findRelatedTests`), all of them even when the first fails (jest cannot bail when run from
// code). Here nearly every test file of a group imports every file of the group (the dispatcher's
// tests all go through `dispatch()`), and loading a test file (its SDK clients again) costs about
// 250 ms, the tests themselves a few: loading was most of a run's time.
//
// Same tests, same verdicts: the covering tests are still selected by name; a file that holds none
// of them is not loaded, and a killed mutant's remaining files are not run. The dry run records
// which file holds each test (jest reports it); every test runner process reads that record. A
// mutant without per-test coverage (a static mutant: module-level code runs for every test) or a
// test the record does not know falls back to the jest runner's own behaviour.
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

/** In the sandbox (every test runner process works there): test id -> the test files holding it. */
const RECORD = '.stryker-test-files.json';

const jest = jestPlugins.find((p) => p.kind === PluginKind.TestRunner && p.name === 'jest');
if (!jest) throw new Error('@stryker-mutator/jest-runner no longer declares the "jest" test runner');

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function jestByFile(injector) {
  const inner = jest.factory(injector);
  const adapter = inner.jestTestAdapter;
  if (typeof adapter?.run !== 'function') throw new Error('the jest runner no longer has a test adapter with run(): update scripts/stryker-jest-by-file.mjs');
  const runJest = adapter.run.bind(adapter);
  let filesOf; // Map<test id, string[]>, read on the first mutant run
  let covering; // the active mutant's covering tests, set by mutantRun for the adapter's run
  let bail = true; // stop at the first failing file, unless Stryker asks for every killer (disableBail)

  adapter.run = async (settings) => {
    const files = covering && settings.fileNamesUnderTest ? testFilesOf(covering) : undefined;
    if (!files) return runJest(settings);
    const runs = [];
    for (const file of files) {
      const run = await runJest({ ...settings, fileNamesUnderTest: undefined, testFiles: [`^${escapeRegExp(file)}$`] });
      runs.push(run);
      if (bail && (run.results.numFailedTests > 0 || run.results.numRuntimeErrorTestSuites > 0)) break;
    }
    return merged(runs);
  };

  /** The files holding the covering tests, those with the most of them first (the likeliest to fail). */
  function testFilesOf(ids) {
    try {
      filesOf ??= new Map(Object.entries(JSON.parse(readFileSync(path.resolve(RECORD), 'utf8'))));
    } catch {
      return undefined; // no record (yet): the jest runner's own way
    }
    const tests = new Map();
    for (const id of ids) {
      const known = filesOf.get(id);
      if (!known) return undefined;
      for (const f of known) tests.set(f, (tests.get(f) ?? 0) + 1);
    }
    return tests.size > 0 ? [...tests.keys()].sort((a, b) => tests.get(b) - tests.get(a) || a.localeCompare(b)) : undefined;
  }

  return {
    init: () => inner.init(),
    capabilities: () => inner.capabilities(),
    dispose: () => inner.dispose?.(),
    async dryRun(options) {
      const result = await inner.dryRun(options);
      if (result.status === 'complete') {
        const record = {};
        for (const t of result.tests) if (t.fileName) (record[t.id] ??= []).includes(t.fileName) || record[t.id].push(t.fileName);
        writeFileSync(path.resolve(RECORD), JSON.stringify(record));
      }
      return result;
    },
    async mutantRun(options) {
      covering = options.testFilter;
      bail = !options.disableBail;
      try {
        return await inner.mutantRun(options);
      } finally {
        covering = undefined;
      }
    },
  };
}
jestByFile.inject = tokens(commonTokens.injector);

/** One jest result of several runs, as the jest runner reads it: every suite's results, the counts summed. */
function merged(runs) {
  const results = runs.map((r) => r.results);
  const sum = (key) => results.reduce((n, r) => n + (r[key] ?? 0), 0);
  const counts = ['numFailedTests', 'numFailedTestSuites', 'numPassedTests', 'numPassedTestSuites', 'numPendingTests', 'numPendingTestSuites', 'numRuntimeErrorTestSuites', 'numTotalTests', 'numTotalTestSuites'];
  return {
    ...runs.at(-1),
    results: {
      ...results.at(-1),
      ...Object.fromEntries(counts.map((k) => [k, sum(k)])),
      success: results.every((r) => r.success),
      testResults: results.flatMap((r) => r.testResults),
    },
  };
}

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-by-file', jestByFile)];

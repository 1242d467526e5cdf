// A StrykerJS test runner `jest-by-file` (stryker.config.mjs): the jest runner of
// @stryker-mutator/jest-runner, except that a mutant's run loads only the test files that hold
// the tests covering it.
//
// Why: with per-test coverage the jest runner runs, for each mutant, the covering tests by name
// (`--testNamePattern`) but loads every test file related to the mutated file
// (`--findRelatedTests`). Here nearly every test file of a group imports every file of the group
// (the dispatcher's tests all go through `dispatch()`), so each mutant loaded the whole group's
// files, each with its SDK clients again: most of a run's time, not the tests themselves.
//
// Same tests run, same verdicts: the covering tests are still selected by name, only the files
// that cannot hold one of them are not loaded. The dry run records which file holds each test
// (jest reports it); every test runner process reads that record. A mutant without per-test
// coverage (a static mutant: module-level code runs for every test) or a test the record does not
// know falls back to the jest runner's own behaviour.
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

  adapter.run = (settings) => {
    const files = covering && settings.fileNamesUnderTest ? testFilesOf(covering) : undefined;
    return runJest(files ? { ...settings, fileNamesUnderTest: undefined, testFiles: files.map((f) => `^${escapeRegExp(f)}$`) } : settings);
  };

  function testFilesOf(ids) {
    try {
      filesOf ??= new Map(Object.entries(JSON.parse(readFileSync(path.resolve(RECORD), 'utf8'))));
    } catch {
      return undefined; // no record (yet): the jest runner's own way
    }
    const files = new Set();
    for (const id of ids) {
      const known = filesOf.get(id);
      if (!known) return undefined;
      for (const f of known) files.add(f);
    }
    return files.size > 0 ? [...files] : undefined;
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
      try {
        return await inner.mutantRun(options);
      } finally {
        covering = undefined;
      }
    },
  };
}
jestByFile.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-by-file', jestByFile)];

// npm run mutation [-- group ...]: StrykerJS on each group of the safety core (scripts/mutation-groups.mjs),
// one after the other, then one table of the mutation score per file (reports/mutation/summary.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { GROUPS } from './mutation-groups.mjs';

const TARGET = 90;
const names = process.argv.slice(2);
for (const n of names) if (!GROUPS[n]) throw new Error(`unknown group ${n}: one of ${Object.keys(GROUPS).join(', ')}`);
const groups = names.length > 0 ? names : Object.keys(GROUPS);

const started = Date.now();
const failed = [];
for (const name of groups) {
  console.log(`\n=== mutation: ${name} (${GROUPS[name].mutate.length} files, tests of ${GROUPS[name].tests.join(', ')})`);
  const run = spawnSync('npx', ['stryker', 'run'], { stdio: 'inherit', env: { ...process.env, MUTATION_GROUP: name } });
  if (run.status !== 0) failed.push(name);
}

/** Per file: killed (timed out counts as killed) over killed, survived and not reached by any test. */
const rows = [];
for (const name of groups) {
  const report = `reports/mutation/${name}/mutation.json`;
  if (!existsSync(report)) continue;
  const { files } = JSON.parse(readFileSync(report, 'utf8'));
  for (const [file, { mutants }] of Object.entries(files)) {
    const count = (s) => mutants.filter((m) => m.status === s).length;
    const killed = count('Killed') + count('Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    const valid = killed + survived + noCoverage;
    rows.push({ file, killed, survived, noCoverage, valid, score: valid === 0 ? 100 : (100 * killed) / valid });
  }
}
const table = [
  '| file | killed | survived | no coverage | score |',
  '|---|---:|---:|---:|---:|',
  ...rows.map((r) => `| ${r.file} | ${r.killed} | ${r.survived} | ${r.noCoverage} | ${r.score.toFixed(1)}% |`),
].join('\n');
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
mkdirSync('reports/mutation', { recursive: true });
writeFileSync('reports/mutation/summary.md', `${table}\n\n${minutes} minutes, groups: ${groups.join(', ')}\n`);
console.log(`\n${table}\n\n${minutes} minutes. HTML: reports/mutation/<group>/index.html; table: reports/mutation/summary.md`);
const below = rows.filter((r) => r.score < TARGET);
if (below.length > 0) console.log(`below ${TARGET}%: ${below.map((r) => r.file).join(', ')}`);
if (failed.length > 0) {
  console.error(`stryker failed for: ${failed.join(', ')}`);
  process.exit(1);
}

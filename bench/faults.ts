// `npm run faults`: the fault table. Plays the built-in drill once without faults to learn every AWS
// operation the dispatcher and the workflow call (its `apiCalls`), then once per operation x fault
// (bench/fault-table.ts), and prints operation x fault -> execution status, key status, record
// written, snapshots, the step named in the email. Exits 1 when a cell breaks an invariant.
import '../drill/cli-env';
import { synthesizedRules } from '../drill/stack-rules';
import { baselineOf, FAULT_CONTEXT, faultsFor, formatTable, operationsOf, playBuiltin, playCell, Row } from './fault-table';

/** The whole table must run in this time on a 2-core machine. */
const BUDGET_MS = 180_000;

async function main(): Promise<number> {
  const t0 = Date.now();
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const rules = synthesizedRules(FAULT_CONTEXT);
  const clean = await playBuiltin(rules);
  const baseline = baselineOf(clean);
  const operations = operationsOf(clean).filter((op) => only.length === 0 || only.includes(op));
  process.stderr.write(`without faults: execution ${baseline.execution}, key ${baseline.keyStatus}; ${operations.length} operations\n`);
  const rows: Row[] = [];
  for (const operation of operations) {
    for (const kind of faultsFor(operation)) {
      const row = await playCell(rules, { operation, kind }, baseline);
      rows.push(row);
      process.stderr.write(`${row.violations.length ? '!' : '.'}`);
    }
  }
  process.stderr.write('\n');
  const elapsed = Date.now() - t0;
  const broken = rows.filter((r) => r.violations.length > 0);
  process.stdout.write(`${formatTable(rows)}\n\n`);
  process.stdout.write(`${rows.length} cells in ${(elapsed / 1000).toFixed(1)} s (budget ${BUDGET_MS / 1000} s)\n`);
  if (broken.length > 0) {
    process.stdout.write(`${broken.length} cell(s) break an invariant:\n`);
    for (const r of broken) process.stdout.write(`  ${r.operation} x ${r.fault}: ${r.violations.join('; ')}\n`);
  }
  if (only.length === 0 && elapsed > BUDGET_MS) process.stdout.write(`the table took longer than its budget of ${BUDGET_MS / 1000} s\n`);
  return broken.length > 0 || (only.length === 0 && elapsed > BUDGET_MS) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);

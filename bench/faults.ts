// `npm run faults`: the fault table. Plays the built-in drill once without faults to learn every AWS
// operation the dispatcher and the workflow call (its `apiCalls`), then once per operation x fault
// (bench/fault-table.ts), and prints operation x fault -> execution status, key status, record
// written, snapshots, the step named in the email. Two tables: per-account mode, then organization
// mode (the built-in incident in a member account, the member role assumed). `--per-account` or
// `--organization` plays one of them. Exits 1 when a cell breaks an invariant.
import '../drill/cli-env';
import { UsageError } from '../drill/cli';
import { synthesizedRules } from '../drill/stack-rules';
import { baselineOf, cellsFor, FAULT_CONTEXT, formatTable, operationsOf, ORGANIZATION_CONTEXT, playBuiltin, playCell, Row } from './fault-table';

/** Both tables must run in this time together on a 2-core machine. */
const BUDGET_MS = 180_000;

const MODES: ReadonlyArray<{ readonly flag: string; readonly title: string; readonly context: Record<string, string> }> = [
  { flag: '--per-account', title: 'per-account mode', context: FAULT_CONTEXT },
  { flag: '--organization', title: 'organization mode (the incident in member account, through the member role)', context: ORGANIZATION_CONTEXT },
];

async function table(mode: (typeof MODES)[number], only: readonly string[]): Promise<Row[]> {
  const rules = synthesizedRules(mode.context);
  const clean = await playBuiltin(rules, [], mode.context);
  const baseline = baselineOf(clean);
  const operations = operationsOf(clean).filter((op) => only.length === 0 || only.includes(op));
  process.stderr.write(`${mode.title}: without faults: execution ${baseline.execution}, key ${baseline.keyStatus}; ${operations.length} operations\n`);
  const rows: Row[] = [];
  for (const cell of operations.flatMap((op) => cellsFor(op, mode.context === ORGANIZATION_CONTEXT))) {
    const row = await playCell(rules, cell, baseline, mode.context);
    rows.push(row);
    process.stderr.write(`${row.violations.length ? '!' : '.'}`);
  }
  process.stderr.write('\n');
  return rows;
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a.startsWith('-') && !MODES.some((m) => m.flag === a));
  if (unknown.length > 0) throw new UsageError(`unknown option ${unknown.join(' ')}: use ${MODES.map((m) => m.flag).join(' or ')}, and service:Operation names`);
  const only = args.filter((a) => !a.startsWith('-'));
  const chosen = MODES.filter((m) => args.includes(m.flag));
  const broken: Array<Row & { mode: string }> = [];
  let cells = 0;
  for (const mode of chosen.length > 0 ? chosen : MODES) {
    const started = Date.now();
    const rows = await table(mode, only);
    cells += rows.length;
    process.stdout.write(`${mode.title}\n\n${formatTable(rows)}\n\n${rows.length} cells in ${((Date.now() - started) / 1000).toFixed(1)} s\n\n`);
    broken.push(...rows.filter((r) => r.violations.length > 0).map((r) => ({ ...r, mode: mode.title })));
  }
  const elapsed = Date.now() - t0;
  process.stdout.write(`${cells} cells in ${(elapsed / 1000).toFixed(1)} s (budget ${BUDGET_MS / 1000} s)\n`);
  if (broken.length > 0) {
    process.stdout.write(`${broken.length} cell(s) break an invariant:\n`);
    for (const r of broken) process.stdout.write(`  ${r.mode}: ${r.operation} x ${r.fault}: ${r.violations.join('; ')}\n`);
  }
  const late = only.length === 0 && chosen.length === 0 && elapsed > BUDGET_MS;
  if (late) process.stdout.write(`the tables took longer than their budget of ${BUDGET_MS / 1000} s\n`);
  return broken.length > 0 || late ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`faults: ${err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 2;
  },
);

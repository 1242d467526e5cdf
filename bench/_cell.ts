import '../drill/cli-env';
import { synthesizedRules } from '../drill/stack-rules';
import { FAULT_CONTEXT, playBuiltin } from '../bench/fault-table';
async function main() {
  const [operation, error] = process.argv.slice(2);
  const rules = synthesizedRules(FAULT_CONTEXT);
  const out = await playBuiltin(rules, [{ operation, error, times: 1000 }]);
  const o = out as any;
  process.stdout.write(JSON.stringify({ deliveries: o.deliveries, failures: o.report.failures, stillOpen: o.report.stillOpen, outcome: o.report.outcome, headline: o.report.headline, deadLetters: o.deadLetters, alarms: o.alarms }, null, 1) + '\n');
  for (const n of out.notifications) process.stdout.write(`==== ${n.channel}: ${n.subject}\n${n.body}\n`);
}
main();

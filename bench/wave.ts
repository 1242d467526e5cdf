// `npm run bench -- --wave N [--json] [--iam-rate R]`: N exposed keys of N users of one account,
// reported at once, played on the virtual clock (drill/wave.ts). With --json, one document on
// stdout: {"wave": {incidents, contained, lost, containSeconds, boundSeconds, lookupCalls,
// lookupBound, emails}} (simulated seconds); otherwise a table.
import { cpus, loadavg } from 'node:os';
import { synthesizedRules } from '../drill/stack-rules';
import { HISTORY_EVENTS_LIMIT, runWave, STATE_BYTES_LIMIT, WaveDetails } from '../drill/wave';

/** The wave's arguments, or undefined when `--wave` is absent; throws on an unusable value. */
export function waveArguments(argv: readonly string[]): { keys: number; json: boolean; iamRate?: number } | undefined {
  const at = argv.indexOf('--wave');
  if (at < 0) return undefined;
  const whole = (flag: string, raw: string | undefined, max: number): number => {
    const n = raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= 1 && n <= max)) throw new Error(`${flag} takes a whole number from 1 to ${max}, got ${raw ?? 'nothing'}`);
    return n;
  };
  const keys = whole('--wave', argv[at + 1], 5000);
  const rateAt = argv.indexOf('--iam-rate');
  return { keys, json: argv.includes('--json'), ...(rateAt >= 0 && { iamRate: whole('--iam-rate', argv[rateAt + 1], 1000) }) };
}

function table(d: WaveDetails, realSeconds: number, print: (line: string) => void): void {
  const f = d.figures;
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  print(`A wave of ${f.incidents} exposures (one account, IAM writes limited to ${d.iamRate}/s, LookupEvents to 2/s per region); simulated time`);
  print(`  contained (key Inactive, sessions revoked)   ${f.contained} of ${f.incidents}; lost (neither contained nor named in a message): ${f.lost}`);
  print(`  all contained after                         ${f.containSeconds} s; bound ${f.boundSeconds} s (${f.incidents} keys x 3 writes / ${d.iamRate} per s) = ${(f.containSeconds / f.boundSeconds).toFixed(2)}x (target 1.5x: ${verdict(f.containSeconds <= 1.5 * f.boundSeconds)})`);
  print(`  containment writes made / throttled         ${d.containmentWrites} / ${Object.entries(d.throttled).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
  print(`  report order vs containment order (rank)    ${d.orderCorrelation} (every report at the same instant: no order between them to keep)`);
  print(`  LookupEvents calls                          ${f.lookupCalls}; one combined search of each window needs ${d.combinedSearchPages} (bound 1.2x = ${f.lookupBound}: ${verdict(f.lookupCalls <= f.lookupBound)})`);
  print(`  emails (one per incident)                   ${f.emails}`);
  print(`  dead-lettered reports / failed executions   ${d.deadLettered} / ${d.failedExecutions}`);
  print(`  largest execution                           ~${d.maxHistoryEvents} history events (limit ${HISTORY_EVENTS_LIMIT}), state ${(d.maxStateBytes / 1024).toFixed(1)} KB (limit ${STATE_BYTES_LIMIT / 1024} KB)`);
  print(`  whole wave, second looks included           ${d.simulatedSeconds.toFixed(0)} s simulated, ${realSeconds.toFixed(1)} s real (load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores)`);
}

export async function waveBench(args: { keys: number; json: boolean; iamRate?: number }, print: (line: string) => void): Promise<void> {
  const rules = synthesizedRules({});
  const started = Date.now();
  const details = await runWave(rules, { keys: args.keys, ...(args.iamRate !== undefined && { iamMutatingPerSecond: args.iamRate }) });
  if (args.json) print(JSON.stringify({ wave: details.figures }));
  else table(details, (Date.now() - started) / 1000, print);
}

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { configFromValues } from '../lib/config-context';
import { Drill, DrillConfig, DrillOutput } from './run-drill';
import { RulePattern } from './rules';
import { formatTimeline } from './timeline';
import { formatRestore, restoreAll } from './restore';

export interface CliArgs {
  event?: string;
  scenario?: string;
  json: boolean;
  builtin: boolean;
  verbose: boolean;
  /** After the response, run the operator's restore on each incident (docs/drill.md). */
  restore?: boolean;
  context: Record<string, string>;
}

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const USAGE = `usage: npm run --silent drill -- --event <event.json> [--scenario <scenario.json>] [--json] [-c key=value ...]
       npm start   (the built-in fire drill)
  --event      an EventBridge event as EventBridge delivers it (source, detail-type, detail...)
  --scenario   the simulated account before the incident (see docs/drill.md); default: an empty account
  --json       print one JSON document on stdout (progress goes to stderr)
  -c key=value CDK context, as for cdk deploy: dryRun=true, protectedUsers=a,b
  --restore    then run the operator command \`restore <incidentId> --yes\` on each incident and print the account after it
  --verbose    the Lambdas' structured logs on stderr`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const args: CliArgs = { json: false, builtin: false, verbose: false, context: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--event': args.event = value(); break;
      case '--scenario': args.scenario = value(); break;
      case '--json': args.json = true; break;
      case '--builtin': args.builtin = true; break;
      case '--verbose': args.verbose = true; break;
      case '--restore': args.restore = true; break;
      case '-c':
      case '--context': {
        const kv = value();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`${a} takes key=value, got "${kv}"`);
        args.context[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '-h':
      case '--help':
        throw new UsageError(USAGE);
      default:
        throw new UsageError(`unknown argument "${a}"\n${USAGE}`);
    }
  }
  if (!args.builtin && !args.event) throw new UsageError(`--event is required\n${USAGE}`);
  return args;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} ${file} is not JSON: ${(err as Error).message}`);
  }
}

/**
 * The built-in drill: a leaked CI key, used from two regions (a backdoor user, a miner), reported
 * by Trusted Advisor then again by AWS Health. Its files are written as of {@link BUILTIN.writtenAt};
 * every time in them is moved by the same amount so the incident happens now (else the attacker's
 * calls would fall out of the CloudTrail lookback window as the files age).
 */
export const BUILTIN = {
  scenario: path.join(__dirname, 'scenarios', 'builtin.json'),
  events: [path.join(__dirname, 'events', 'builtin-trusted-advisor.json'), path.join(__dirname, 'events', 'builtin-health.json')],
  writtenAt: Date.parse('2026-11-23T10:02:00Z'),
};

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const EPOCH_MS = /^\d{13}$/;

/** A copy of `value` with every ISO time and epoch-milliseconds string moved by `shiftMs`. */
export function shiftTimes<T>(value: T, shiftMs: number): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      if (ISO_TIME.test(v)) return new Date(Date.parse(v) + shiftMs).toISOString();
      if (EPOCH_MS.test(v)) return String(Number(v) + shiftMs);
      return v;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}

/** The responder's configuration from `-c key=value`, read exactly as `cdk deploy` reads it. */
export function drillConfig(context: Record<string, string>): DrillConfig {
  try {
    const { dryRun, protectedUsers, protectedRoles, stopLaunchedInstances, lookbackDays, supportSeverity, slackWebhookSecret, quarantineWindowHours, securityHub, organization } = configFromValues(context);
    return {
      dryRun, protectedUsers, protectedRoles, stopLaunchedInstances, lookbackDays, supportSeverity, quarantineWindowHours, securityHub,
      ...(slackWebhookSecret ? { slackWebhookSecret } : {}),
      ...(organization ? { organization } : {}),
    };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Why a JSON document that no rule matches may still be meant as a report: said on stderr. */
export function shapeHint(event: unknown): string | undefined {
  const e = (event ?? {}) as Record<string, unknown>;
  if ('source' in e) return undefined;
  if ('eventSource' in e && 'eventName' in e) {
    return 'this is a bare CloudTrail record: EventBridge delivers it as the "detail" of an event with source "aws.iam" and detail-type "AWS API Call via CloudTrail"';
  }
  if ('event' in e && typeof e.event === 'object') {
    return 'this is AWS Health DescribeEvents output: EventBridge delivers Health events with source "aws.health" and detail-type "AWS Health Event"';
  }
  return 'this is not an EventBridge event: it has no "source"';
}

/** Where the drill writes the incident reports, as the workflow writes them to the incident bucket. */
export const REPORT_DIR = path.join('.drill-out', 'incidents');

/** Writes each incident's report.json and report.md under `dir`/<incidentId>/; returns the files. */
export function writeReports(drill: Drill, dir: string): string[] {
  const files: string[] = [];
  const ids = new Set(drill.deliveries.flatMap((d) => d.executions.filter((e) => e.status !== 'SKIPPED').map((e) => e.incident.incidentId)));
  for (const id of ids) {
    const { json, markdown } = drill.reportObjects(id);
    const target = path.join(dir, id);
    for (const [name, body] of [['report.json', json], ['report.md', markdown]] as const) {
      if (body === undefined) continue;
      mkdirSync(target, { recursive: true });
      writeFileSync(path.join(target, name), body);
      files.push(path.join(target, name));
    }
  }
  return files;
}

/** Runs the drill for parsed arguments; rules come from the synthesized stack. */
export async function runCli(
  args: CliArgs,
  loadRules: (context: Record<string, string>) => RulePattern[],
  progress: (line: string) => void,
): Promise<{ output: DrillOutput; text: string }> {
  const scenarioFile = args.scenario ?? (args.builtin ? BUILTIN.scenario : undefined);
  const eventFiles = args.event ? [args.event] : BUILTIN.events;
  // Only the built-in files are moved to now; a user's own files are played as they are.
  const shift = (file: string) => ([BUILTIN.scenario, ...BUILTIN.events].includes(file) ? Date.now() - BUILTIN.writtenAt : 0);
  const scenario = scenarioFile ? shiftTimes(readJson(scenarioFile, 'scenario'), shift(scenarioFile)) : {};
  const events = eventFiles.map((f) => shiftTimes(readJson(f, 'event'), shift(f)));
  // The built-in drill also shows the Slack message (the simulated account holds the secret).
  const context = args.builtin ? { slackWebhookSecret: 'exposed-key-responder/slack-webhook', ...args.context } : args.context;
  const config = drillConfig(context);
  progress('synthesizing the stack to read its rule patterns...');
  const rules = loadRules(context);
  let drill: Drill;
  try {
    drill = new Drill(scenario, rules, config, { progress });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  try {
    for (const [i, event] of events.entries()) {
      progress(`delivering ${path.basename(eventFiles[i])}`);
      const delivery = await drill.deliver(event);
      const hint = delivery.matchedRules.length === 0 ? shapeHint(event) : undefined;
      if (hint) progress(`note: ${hint}`);
    }
    const output = drill.output();
    for (const file of writeReports(drill, REPORT_DIR)) progress(`incident report written to ${file}`);
    const text = formatTimeline(output, drill, config);
    if (!args.restore) return { output, text };
    const restored = await restoreAll(drill, progress);
    return { output: { ...output, restored }, text: `${text}\n${formatRestore(restored)}` };
  } finally {
    drill.close();
  }
}
